package org.ddoq.core.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
import org.ddoq.core.stage.ClassQuantizerModel.Centroid;

/**
 * A finished distill output read back for {@code decode}: its summary.json and the centroids it kept
 * (latents from centroids.npy; label, cluster, count and weight from manifest.csv, in the same row order,
 * the weights exactly as distill wrote them; class names from summary.json).
 */
record FinishedRun(String dir, FileSystem fs, Map<String, Object> summary) {

  /** Reads OUT's summary, refusing an unfinished run or one distilled before centroids were kept. */
  static FinishedRun open(SparkSession spark, String dir) {
    Path path = new Path(dir);
    FileSystem fs;
    try {
      fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + dir + "/summary.json: " + e.getMessage(), e);
    }
    return new FinishedRun(dir, fs, readSummary(fs, dir));
  }

  /** The centroids OUT kept, in manifest order. */
  List<Centroid> centroids() {
    return keptCentroids(fs, dir, summary);
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> section(String name) {
    return (Map<String, Object>) summary.get(name);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readSummary(FileSystem fs, String source) {
    Path dir = new Path(source);
    try {
      if (!fs.exists(new Path(dir, DistilledSetWriter.SUCCESS))) {
        throw new InputException(source + " is not a finished distill output (no " + DistilledSetWriter.SUCCESS
            + "); run distill to completion first");
      }
      if (!fs.exists(new Path(dir, CentroidFile.NAME))) {
        throw new InputException(source + " holds no " + CentroidFile.NAME + " (distilled by an older"
            + " ddoq); run distill again to get centroids that can be re-decoded");
      }
      try (InputStream in = fs.open(new Path(dir, "summary.json"))) {
        return new ObjectMapper().readValue(in, Map.class);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + source + "/summary.json: " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Centroid> keptCentroids(FileSystem fs, String source, Map<String, Object> summary) {
    Map<Integer, String> names = new HashMap<>();
    for (Map<String, Object> c : (List<Map<String, Object>>) summary.get("classes")) {
      names.put(((Number) c.get("label")).intValue(), (String) c.get("class_name"));
    }
    try {
      float[][] latents = CentroidFile.read(fs, source);
      List<String> lines;
      try (InputStream in = fs.open(new Path(new Path(source), "manifest.csv"))) {
        lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
            .filter(l -> !l.isBlank()).skip(1).toList();
      }
      if (lines.size() != latents.length) {
        throw new InputException(source + "/manifest.csv lists " + lines.size() + " images but "
            + CentroidFile.NAME + " holds " + latents.length + " centroids; run distill again");
      }
      List<Centroid> out = new ArrayList<>();
      for (int i = 0; i < latents.length; i++) {
        // path,label,class_name,cluster,count,weight: the class name may hold quoted commas, so the
        // numbers are read from both ends.
        String[] f = lines.get(i).split(",", -1);
        int label = Integer.parseInt(f[1]);
        out.add(new Centroid(label, names.get(label), Integer.parseInt(f[f.length - 3]),
            CentroidFile.widen(latents[i]), Long.parseLong(f[f.length - 2]), Double.parseDouble(f[f.length - 1])));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the centroids of " + source + ": " + e.getMessage(), e);
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new InputException(source + "/manifest.csv is damaged (" + e.getMessage() + "); run distill again");
    }
  }
}
