package org.ddoq.core.stage;

import static org.apache.spark.sql.functions.col;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quantizer's path for classes too large for one task: MLlib's distributed KMeans per class,
 * several classes at a time from the driver, then each class's exact uniform W2 in one task.
 */
final class DistributedFits {
  private static final Logger LOG = LoggerFactory.getLogger(DistributedFits.class);
  private static final long POINTS_PER_PARTITION = 50_000;

  private DistributedFits() {}

  /** The quantizer's params this path reads. */
  record Settings(
      String labelCol,
      String featuresCol,
      int k,
      long seed,
      int maxIter,
      double tol,
      String initMode,
      int restarts,
      int parallelism) {}

  /**
   * Classes over {@link ClassQuantizer#maxTaskBytes}: one MLlib KMeans per class driven from the
   * driver, {@link ClassQuantizer#parallelism} classes at a time, then their exact uniform W2 (one
   * task per class).
   */
  static void fit(
      Dataset<Row> data,
      List<Row> classes,
      int countIndex,
      Settings s,
      Map<Integer, ClassFit.Result> results,
      Map<Integer, Double> seconds,
      Map<Integer, Double> w2) {
    int k = s.k();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(s.parallelism(), classes.size()),
            r -> {
              Thread t = new Thread(r, "ddoq-class-fit");
              t.setDaemon(true);
              return t;
            });
    Map<Integer, Future<ClassFit.Result>> futures = new LinkedHashMap<>();
    Map<Integer, Double> fitSeconds = new ConcurrentHashMap<>();
    try {
      for (Row c : classes) {
        int label = c.getInt(0);
        long n = c.getLong(countIndex);
        Dataset<Row> rows =
            data.filter(col(s.labelCol()).equalTo(label)).coalesce(partitionsFor(data, n));
        futures.put(
            label,
            pool.submit(
                () -> {
                  long start = System.nanoTime();
                  ClassFit.Result r =
                      ClassFit.fit(
                          rows,
                          s.featuresCol(),
                          n,
                          k,
                          s.seed(),
                          label,
                          s.maxIter(),
                          s.tol(),
                          s.initMode(),
                          s.restarts());
                  double took = (System.nanoTime() - start) / 1e9;
                  fitSeconds.put(label, took);
                  LOG.info(
                      "Quantized class {} ({} latents) with MLlib into {} centroids, distortion {}"
                          + " in {} s ({} iterations)",
                      label,
                      n,
                      r.centroids().size(),
                      String.format("%.5g", r.cost() / n),
                      String.format("%.1f", took),
                      r.iterations());
                  return r;
                }));
      }
      for (Map.Entry<Integer, Future<ClassFit.Result>> f : futures.entrySet()) {
        results.put(f.getKey(), f.getValue().get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while quantizing", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("a class fit failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
    seconds.putAll(fitSeconds);
    Map<Integer, double[][]> forW2 = new HashMap<>();
    for (Row c : classes) {
      if (c.getLong(countIndex) > k) {
        forW2.put(c.getInt(0), results.get(c.getInt(0)).centroids().toArray(new double[0][]));
      }
    }
    long start = System.nanoTime();
    w2.putAll(UniformW2.compute(data, s.labelCol(), s.featuresCol(), forW2));
    LOG.info(
        "Exact uniform-weight W2 for {} classes in {} s",
        forW2.size(),
        String.format("%.1f", (System.nanoTime() - start) / 1e9));
  }

  /**
   * Partitions for one class's k-means. Every MLlib iteration is a Spark job over the class's
   * partitions, and a filter of the whole dataset keeps all of its partitions, nearly empty: on 2
   * cores 50 iterations over CIFAR-10's partitions cost 17-58 s per class of 5,000 latents, job and
   * task overhead rather than arithmetic. One partition per {@value #POINTS_PER_PARTITION} latents
   * (at most the default parallelism) keeps large classes spread over the executors.
   */
  private static int partitionsFor(Dataset<Row> data, long classSize) {
    int cores = Math.max(1, data.sparkSession().sparkContext().defaultParallelism());
    return (int)
        Math.min(cores, Math.max(1, (classSize + POINTS_PER_PARTITION - 1) / POINTS_PER_PARTITION));
  }
}
