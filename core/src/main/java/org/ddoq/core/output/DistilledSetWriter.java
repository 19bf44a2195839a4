package org.ddoq.core.output;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.InputException;
import org.ddoq.core.data.StorageErrors;

/**
 * Writes a distilled set in the output contract (docs/usage.md, "Output"):
 *
 * <pre>
 * OUT/images/&lt;class-folder&gt;/&lt;label&gt;_&lt;cluster&gt;.png   torchvision ImageFolder layout ({@link ClassFolders})
 * OUT/manifest.csv    path,label,class_name,cluster,count,weight
 * OUT/summary.json    run parameters, per-class results, stage timings
 * OUT/contact_sheet.png  one row per class, weights under the images
 * OUT/_SUCCESS        written last: a directory without it is incomplete
 * </pre>
 *
 * Images are written by the executors (any Hadoop file system); the manifest and summary by the
 * driver, through {@link Manifest} and {@link SummaryFile}, which read them back too ({@link
 * CentroidFile} keeps centroids.npy).
 */
public final class DistilledSetWriter {
  public static final String SUCCESS = "_SUCCESS";

  private DistilledSetWriter() {}

  /**
   * Before any work is done: refuses an OUT that is, holds or (unless {@code insideAllowed}) lies
   * inside {@code input}, refuses an existing OUT unless the user asked to replace it, and checks
   * that OUT can be written (leaving it absent).
   *
   * @param inputOption how the user named the input (e.g. "--input"), for the messages
   */
  public static void prepareTarget(
      SparkSession spark,
      String out,
      boolean overwrite,
      String input,
      String inputOption,
      boolean insideAllowed) {
    Path path = new Path(out);
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      checkApart(spark, out, input, inputOption, insideAllowed);
      if (fs.exists(path)) {
        if (!overwrite) {
          throw new InputException(
              "output "
                  + out
                  + " already exists; choose a new --out, or pass --overwrite to replace it");
        }
        if (!fs.delete(path, true)) {
          throw new InputException(
              "could not delete the existing output "
                  + out
                  + " for --overwrite; remove it by hand");
        }
      }
      OutputTarget.probeWritable(fs, path);
    } catch (IOException e) {
      throw StorageErrors.explain(out, "checking the output", e);
    }
  }

  /**
   * Refuses an OUT that is, holds or (unless {@code insideAllowed}) lies inside {@code input}; an
   * existing OUT is left as it is (a resumed run continues it).
   */
  public static void checkApart(
      SparkSession spark, String out, String input, String inputOption, boolean insideAllowed) {
    Path path = new Path(out);
    Path in = new Path(input);
    try {
      OutputTarget.checkApart(
          in.getFileSystem(spark.sparkContext().hadoopConfiguration()),
          in,
          inputOption,
          path.getFileSystem(spark.sparkContext().hadoopConfiguration()),
          path,
          insideAllowed);
    } catch (IOException e) {
      throw StorageErrors.explain(out, "checking the output", e);
    }
  }

  /**
   * Writes images, manifest, summary and contact sheet, not _SUCCESS ({@link StagedOutput} moves
   * them into place and marks the set finished).
   *
   * @param decoded rows with label (int), class_name, cluster (int), count (long), weight (double),
   *     png (binary)
   */
  public static void writeFiles(
      SparkSession spark, Dataset<Row> decoded, String out, Map<String, Object> summary) {
    HadoopConf conf = new HadoopConf(spark.sparkContext().hadoopConfiguration());
    // The manifest's rows first (the decoded rows are persisted): the class folders depend on
    // every class's name, so that no two classes share one.
    List<Row> rows =
        decoded
            .select("label", "class_name", "cluster", "count", "weight")
            .orderBy("label", "cluster")
            .collectAsList();
    Map<Integer, String> names = new TreeMap<>();
    rows.forEach(r -> names.put(r.getInt(0), r.getString(1)));
    ClassFolders folders = ClassFolders.of(names);
    Dataset<Row> images = decoded.select("label", "cluster", "png");
    ForeachPartitionFunction<Row> writeImages =
        partition -> {
          FileSystem fs = new Path(out).getFileSystem(conf.get());
          while (partition.hasNext()) {
            Row r = partition.next();
            Path file = new Path(out, folders.imagePath(r.getInt(0), r.getInt(1)));
            try (OutputStream stream = OutputFiles.create(fs, file)) {
              stream.write((byte[]) r.get(2));
            }
          }
        };
    images.foreachPartition(writeImages);

    // The sheet shows at most ContactSheet.MAX_ROWS classes: only their PNGs come to the driver.
    List<ContactSheet.Tile> tiles = new java.util.ArrayList<>();
    int firstLabels =
        rows.stream()
            .map(r -> r.getInt(0))
            .distinct()
            .limit(ContactSheet.MAX_ROWS)
            .reduce((a, b) -> b)
            .orElse(-1);
    for (Row r :
        decoded
            .filter(decoded.col("label").leq(firstLabels))
            .select("label", "class_name", "cluster", "weight", "png")
            .collectAsList()) {
      tiles.add(
          new ContactSheet.Tile(
              r.getInt(0), r.getString(1), r.getInt(2), r.getDouble(3), (byte[]) r.get(4)));
    }
    Manifest manifest =
        new Manifest(
            rows.stream()
                .map(
                    r ->
                        Manifest.Row.of(
                            folders,
                            r.getInt(0),
                            r.getString(1),
                            r.getInt(2),
                            r.getLong(3),
                            r.getDouble(4)))
                .toList());
    try {
      FileSystem fs = new Path(out).getFileSystem(conf.get());
      manifest.write(fs, out);
      writeText(fs, new Path(out, SummaryFile.NAME), SummaryFile.text(summary));
      try (OutputStream stream = OutputFiles.create(fs, new Path(out, "contact_sheet.png"))) {
        stream.write(ContactSheet.render(tiles));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "writing " + out + " failed (it has no " + SUCCESS + "): " + e.getMessage(), e);
    }
  }

  /** A small text file, written whole (parents made as needed). */
  public static void writeText(FileSystem fs, Path path, String text) throws IOException {
    try (OutputStream stream = OutputFiles.create(fs, path)) {
      stream.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
