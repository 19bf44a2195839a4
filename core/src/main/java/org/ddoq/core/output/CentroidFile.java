package org.ddoq.core.output;

import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.quantize.Centroid;

/**
 * {@code OUT/centroids.npy}: the centroids' latents (float32, one row per centroid) in
 * manifest.csv's row order (label, then cluster), so that {@code ddoq decode} can decode them
 * again. One file with a fixed name and bytes, not Spark's Parquet parts with random names: two
 * runs with the same seed must write the same files (the cluster test compares them), and NumPy
 * reads it as it is. Float32 is what the decoders take, so decoding these rows gives the same
 * images as the run that wrote them.
 */
public final class CentroidFile {
  /** The file name in OUT. */
  public static final String NAME = "centroids.npy";

  private CentroidFile() {}

  /** Centroids sorted as manifest.csv lists them. */
  private static List<Centroid> inManifestOrder(List<Centroid> centroids) {
    return centroids.stream()
        .sorted(Comparator.comparingInt(Centroid::label).thenComparingInt(Centroid::cluster))
        .toList();
  }

  /** Writes OUT/centroids.npy on the driver, through OUT's file system. */
  public static void write(SparkSession spark, String out, List<Centroid> centroids) {
    try {
      write(
          new Path(out).getFileSystem(spark.sparkContext().hadoopConfiguration()), out, centroids);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not write the centroids to " + out + ": " + e.getMessage(), e);
    }
  }

  public static void write(FileSystem fs, String out, List<Centroid> centroids) throws IOException {
    List<Centroid> rows = inManifestOrder(centroids);
    int cols = rows.isEmpty() ? 0 : rows.get(0).position().length;
    try (OutputStream raw = OutputFiles.create(fs, new Path(out, NAME));
        DataOutputStream stream = new DataOutputStream(raw)) {
      Npy.writeHeader(stream, rows.size(), cols);
      for (Centroid c : rows) {
        Npy.writeRow(stream, c.position());
      }
    }
  }

  /**
   * The rows of OUT's centroids.npy, as written by {@link #write}; refuses (naming the file)
   * anything but a 2-D little-endian float32 C-order .npy of the right length ({@link Npy#read}).
   */
  public static float[][] read(FileSystem fs, String out) throws IOException {
    Path file = new Path(out, NAME);
    try (InputStream in = new BufferedInputStream(fs.open(file))) {
      return Npy.read(in, file.toString());
    }
  }

  /** Latents as the decoders take them (double vectors holding float32 values). */
  public static double[] widen(float[] row) {
    double[] out = new double[row.length];
    for (int i = 0; i < row.length; i++) {
      out[i] = row[i];
    }
    return out;
  }
}
