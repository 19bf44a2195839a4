package org.ddoq.core.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.InputException;
import org.ddoq.core.output.CentroidFile;
import org.ddoq.core.output.DistilledSetWriter;
import org.ddoq.core.output.Manifest;
import org.ddoq.core.output.SummaryFile;
import org.ddoq.core.quantize.Centroid;

/**
 * A finished distill output read back for {@code decode}: its summary.json and the centroids it
 * kept (latents from centroids.npy; label, cluster, count and weight from manifest.csv through
 * {@link Manifest}, in the same row order, the weights exactly as distill wrote them; class names
 * from summary.json).
 */
record FinishedRun(String dir, FileSystem fs, Map<String, Object> summary) {

  /** The typed view of the summary (prior, seed, class names). */
  SummaryFile view() {
    return SummaryFile.view(summary);
  }

  /**
   * Reads OUT's summary, refusing an unfinished run or one distilled before centroids were kept.
   */
  static FinishedRun open(SparkSession spark, String dir) {
    Path path = new Path(dir);
    FileSystem fs;
    try {
      fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not read " + dir + "/summary.json: " + e.getMessage(), e);
    }
    return new FinishedRun(dir, fs, readSummary(fs, dir));
  }

  /** The centroids OUT kept, in manifest order. */
  List<Centroid> centroids() {
    return keptCentroids(fs, dir, view());
  }

  /** A copy of one object of the summary, to change and write again. */
  Map<String, Object> section(String name) {
    return SummaryFile.section(summary, name);
  }

  private static Map<String, Object> readSummary(FileSystem fs, String source) {
    Path dir = new Path(source);
    try {
      if (!fs.exists(new Path(dir, DistilledSetWriter.SUCCESS))) {
        throw new InputException(
            source
                + " is not a finished distill output (no "
                + DistilledSetWriter.SUCCESS
                + "); run distill to completion first");
      }
      if (!fs.exists(new Path(dir, CentroidFile.NAME))) {
        throw new InputException(
            source
                + " holds no "
                + CentroidFile.NAME
                + " (distilled by an older"
                + " ddoq); run distill again to get centroids that can be re-decoded");
      }
      return SummaryFile.readMap(fs, source);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not read " + source + "/" + SummaryFile.NAME + ": " + e.getMessage(), e);
    }
  }

  private static List<Centroid> keptCentroids(FileSystem fs, String source, SummaryFile summary) {
    Map<Integer, String> names = new HashMap<>();
    for (SummaryFile.ClassEntry c : summary.classes()) {
      names.put(c.label(), c.className());
    }
    try {
      float[][] latents = CentroidFile.read(fs, source);
      List<Manifest.Row> rows = Manifest.read(fs, source).rows();
      if (rows.size() != latents.length) {
        throw new InputException(
            source
                + "/"
                + Manifest.NAME
                + " lists "
                + rows.size()
                + " images but "
                + CentroidFile.NAME
                + " holds "
                + latents.length
                + " centroids; run distill again");
      }
      List<Centroid> out = new ArrayList<>();
      for (int i = 0; i < latents.length; i++) {
        Manifest.Row r = rows.get(i);
        out.add(
            new Centroid(
                r.label(),
                names.get(r.label()),
                r.cluster(),
                CentroidFile.widen(latents[i]),
                r.count(),
                r.weight()));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not read the centroids of " + source + ": " + e.getMessage(), e);
    }
  }
}
