package org.ddoq.core.stage;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.ddoq.core.data.InputException;
import org.ddoq.core.quantize.LloydKMeans;
import org.ddoq.core.quantize.UniformTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Fits whole classes inside Spark tasks: the latents are shuffled by class (sorted by label within
 * each partition, so a task holds one class in memory at a time), each class is sorted by id (then
 * by value) so that the result does not depend on the partitioning, and {@link LloydKMeans} and
 * {@link UniformTransport} run on it in the task. The driver receives per class only the centroids,
 * counts, cost, uniform W2 and timings.
 */
final class InTaskFits {
  private static final Logger LOG = LoggerFactory.getLogger(InTaskFits.class);

  private InTaskFits() {}

  /**
   * One latent on its way to its class's task: its floats as little-endian bytes, because Java
   * serialization writes and reads a byte array in one copy but a float array one number at a time
   * (the shuffle's (de)serialization cost more CPU than the k-means at 100 x 1,300 x 1,024).
   */
  record Point(long id, byte[] x) implements Serializable {
    static Point of(long id, float[] values) {
      byte[] b = new byte[Math.multiplyExact(values.length, Float.BYTES)];
      ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
      return new Point(id, b);
    }

    int dimension() {
      return x.length / Float.BYTES;
    }

    /** Copies the floats into {@code out} from {@code offset}. */
    void copyTo(float[] out, int offset) {
      ByteBuffer.wrap(x)
          .order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer()
          .get(out, offset, dimension());
    }

    /** As {@link java.util.Arrays#compare(float[], float[])} on the two points' floats. */
    static int compareValues(Point a, Point b) {
      ByteBuffer fa = ByteBuffer.wrap(a.x).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer fb = ByteBuffer.wrap(b.x).order(ByteOrder.LITTLE_ENDIAN);
      int common = Math.min(a.dimension(), b.dimension());
      for (int i = 0; i < common; i++) {
        int c = Float.compare(fa.getFloat(i * Float.BYTES), fb.getFloat(i * Float.BYTES));
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(a.dimension(), b.dimension());
    }
  }

  /** One class's fit as the task returns it. */
  record Fitted(
      int label, LloydKMeans.Result fit, double uniformW2, double fitSeconds, double w2Seconds)
      implements Serializable {}

  /** The k-means settings a task needs (serialized with the closure). */
  record Settings(int k, long seed, int restarts, int maxIter, double tol, boolean plusPlus)
      implements Serializable {}

  /** Classes to partitions, spread by their rank among the fitted classes. */
  static final class ByClass extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final HashMap<Integer, Integer> partitionOf;
    private final int partitions;

    ByClass(HashMap<Integer, Integer> partitionOf, int partitions) {
      this.partitionOf = partitionOf;
      this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      return partitionOf.get((Integer) key);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof ByClass b
          && b.partitions == partitions
          && b.partitionOf.equals(partitionOf);
    }

    @Override
    public int hashCode() {
      return partitionOf.hashCode() * 31 + partitions;
    }
  }

  /**
   * @param idCol the id column (long) that orders a class's points, or null to order them by value
   * @param labels the classes to fit here
   */
  static Map<Integer, Fitted> fit(
      Dataset<Row> data,
      String labelCol,
      String idCol,
      String featuresCol,
      List<Integer> labels,
      Settings settings) {
    int cores = Math.max(1, data.sparkSession().sparkContext().defaultParallelism());
    int partitions = Math.min(labels.size(), Math.max(64, 8 * cores));
    HashMap<Integer, Integer> partitionOf = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      partitionOf.put(labels.get(i), i % partitions);
    }
    boolean hasId = idCol != null;
    Dataset<Row> columns =
        hasId ? data.select(labelCol, idCol, featuresCol) : data.select(labelCol, featuresCol);
    Comparator<Integer> byLabel = (Comparator<Integer> & Serializable) Integer::compare;
    int[] classesOfPartition = new int[partitions];
    partitionOf.values().forEach(p -> classesOfPartition[p]++);
    List<Fitted> fitted;
    try (QuantizeProgress progress =
        QuantizeProgress.track(data.sparkSession().sparkContext(), classesOfPartition)) {
      fitted =
          points(columns, hasId)
              .filter(p -> partitionOf.containsKey(p._1()))
              .repartitionAndSortWithinPartitions(new ByClass(partitionOf, partitions), byLabel)
              .mapPartitions(points -> fitPartition(points, settings))
              .collect();
    }
    Map<Integer, Fitted> out = new HashMap<>();
    for (Fitted f : fitted) {
      out.put(f.label(), f);
    }
    return out;
  }

  /** (label, point) per row of (label, [id,] latent). */
  private static JavaPairRDD<Integer, Point> points(Dataset<Row> columns, boolean hasId) {
    return LatentValues.labelled(columns, hasId)
        .mapToPair(r -> new Tuple2<>(r.label(), Point.of(r.id(), r.x())));
  }

  /** The classes of one partition, which arrive sorted by label: one class in memory at a time. */
  private static Iterator<Fitted> fitPartition(
      Iterator<Tuple2<Integer, Point>> points, Settings settings) {
    long start = System.nanoTime();
    List<Fitted> out = new ArrayList<>();
    List<Point> current = new ArrayList<>();
    int label = 0;
    while (points.hasNext()) {
      Tuple2<Integer, Point> t = points.next();
      if (!current.isEmpty() && t._1() != label) {
        out.add(fitClass(label, current, settings));
        current = new ArrayList<>();
      }
      label = t._1();
      current.add(t._2());
    }
    if (!current.isEmpty()) {
      out.add(fitClass(label, current, settings));
    }
    if (!out.isEmpty()) {
      // One line per group of classes: 1,000 classes would be 1,000 lines.
      LOG.info(
          "Quantized {} classes ({} to {}) in a task in {} s",
          out.size(),
          out.get(0).label(),
          out.get(out.size() - 1).label(),
          String.format("%.2f", (System.nanoTime() - start) / 1e9));
    }
    return out.iterator();
  }

  /** Sorts, flattens (and releases) one class's points, fits it and measures its uniform W2. */
  static Fitted fitClass(int label, List<Point> points, Settings s) {
    long start = System.nanoTime();
    points.sort(Comparator.comparingLong(Point::id).thenComparing(Point::compareValues));
    int n = points.size();
    int d = points.get(0).dimension();
    float[] x = new float[Math.multiplyExact(n, d)];
    for (int p = 0; p < n; p++) {
      Point point = points.get(p);
      if (point.dimension() != d) {
        throw new InputException(
            "ClassQuantizer: class "
                + label
                + " has latents of dimension "
                + d
                + " and "
                + point.dimension()
                + "; every latent must have the same size");
      }
      point.copyTo(x, p * d);
    }
    points.clear();
    LloydKMeans.Result fit =
        LloydKMeans.fit(
            x, d, s.k(), s.seed(), label, s.restarts(), s.maxIter(), s.tol(), s.plusPlus());
    double fitSeconds = (System.nanoTime() - start) / 1e9;
    long w2Start = System.nanoTime();
    double w2 =
        n > s.k()
            ? UniformTransport.w2Squared(x, d, fit.centroids().toArray(new double[0][]))
            : 0.0;
    double w2Seconds = (System.nanoTime() - w2Start) / 1e9;
    LOG.debug(
        "Quantized class {} ({} latents of {}) in a task into {} centroids in {} s ({} iterations), uniform W2 in {} s",
        label,
        n,
        d,
        fit.centroids().size(),
        String.format("%.2f", fitSeconds),
        fit.iterations(),
        String.format("%.2f", w2Seconds));
    return new Fitted(label, fit, w2, fitSeconds, w2Seconds);
  }
}
