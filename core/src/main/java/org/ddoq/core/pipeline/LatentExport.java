package org.ddoq.core.pipeline;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.InputException;
import org.ddoq.core.output.Npy;
import org.ddoq.core.output.OutputFiles;
import org.ddoq.core.stage.LatentValues;

/**
 * {@code ddoq export-latents}: turns the Parquet latents of {@code distill --keep-latents} into one
 * {@code label_<L>.npy} (float32, n x d, rows in id order) per class, for Python tools such as the
 * scikit-learn comparison in bench/. Streams class by class; never holds more than one partition.
 */
public final class LatentExport {
  private LatentExport() {}

  /**
   * Writes one file per class into {@code outDir} (which must not exist); returns the number of
   * classes.
   */
  public static int export(SparkSession spark, String latentsDir, String outDir) {
    Path out = new Path(outDir);
    try {
      FileSystem fs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!new Path(latentsDir)
          .getFileSystem(spark.sparkContext().hadoopConfiguration())
          .exists(new Path(latentsDir))) {
        throw new InputException(
            "latents " + latentsDir + " do not exist; run distill with --keep-latents first");
      }
      if (fs.exists(out)) {
        throw new InputException("output " + outDir + " already exists; choose a new --out");
      }
      Dataset<Row> latents =
          spark.read().parquet(latentsDir).select("label", "id", "latent").cache();
      List<Row> sizes = latents.groupBy("label").count().orderBy("label").collectAsList();
      for (Row size : sizes) {
        int label = size.getInt(0);
        Iterator<Row> rows = latents.filter("label = " + label).orderBy("id").toLocalIterator();
        try (DataOutputStream stream =
            new DataOutputStream(
                OutputFiles.create(fs, new Path(out, "label_" + label + ".npy")))) {
          boolean first = true;
          while (rows.hasNext()) {
            double[] v = LatentValues.doubles(rows.next().get(2));
            if (first) {
              Npy.writeHeader(stream, size.getLong(1), v.length);
              first = false;
            }
            Npy.writeRow(stream, v);
          }
        }
      }
      latents.unpersist();
      return sizes.size();
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + outDir + " failed: " + e.getMessage(), e);
    }
  }
}
