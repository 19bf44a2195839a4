package org.ddoq.core.quantize;

import dev.ludovic.netlib.blas.BLAS;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * k-means of one class in memory, as one Spark task runs it: greedy k-means++ initialisation (or k
 * distinct random points), Lloyd iterations, the best of {@code restarts} fits by distortion. The
 * point-to-centroid distances are matrix products in netlib's BLAS ({@code ||x||^2 - 2 x.c +
 * ||c||^2}, sgemm over blocks of points); the centroid means, the convergence test and the returned
 * cost are in double.
 *
 * <p>Semantics kept from the MLlib fit this replaces: a fit stops after {@code maxIter} iterations
 * or as soon as no centroid moved by more than {@code tol} (Euclidean) in an iteration; a centroid
 * whose cell is empty keeps its position, and centroids still empty after the last iteration are
 * dropped with a note (no images invented); a class of n <= k points keeps every point as its own
 * centroid with count 1; k = 1 is the class mean. Unlike MLlib's reported training cost, which is
 * measured against the centroids before their last update, the cost here is the exact sum of
 * squared distances to the returned centroids, with the cells (counts) of those centroids.
 *
 * <p>Deterministic: the result depends only on the points in the given order, k, the seeds and the
 * BLAS implementation (the points are sorted by the caller, so the Spark partitioning does not
 * matter).
 */
public final class LloydKMeans {
  /** Most points per sgemm block. */
  private static final int MAX_BLOCK = 2048;

  /**
   * Bytes of points per sgemm block (see {@link #blockRows}): 128 KB measured best of 64 KB to 32
   * MB for d = 196 and 1,024 (CPU time of one class's fit, docs/benchmarks.md).
   */
  private static final int BLOCK_BYTES = 1 << 17;

  private LloydKMeans() {}

  /**
   * What one class's fit produced.
   *
   * @param centroids the non-empty centroids, in their cluster order
   * @param counts points in each centroid's cell
   * @param cost sum over the points of the squared distance to the nearest returned centroid
   * @param iterations Lloyd iterations of the kept fit
   * @param note what a user should know (empty when nothing unusual)
   */
  public record Result(
      List<double[]> centroids, List<Long> counts, double cost, int iterations, String note)
      implements Serializable {}

  /**
   * @param x the class's points, n rows of d floats, row-major (n = x.length / d)
   * @param d the dimension (>= 1)
   * @param k centroids asked for (>= 1)
   * @param seed the run seed; each restart's seed is {@link Seeds#forRestart}(seed, label, restart)
   * @param label the class label (for the seeds)
   * @param restarts fits, the lowest cost kept (>= 1)
   * @param maxIter Lloyd iterations at most (>= 1)
   * @param tol convergence: stop when no centroid moves more than this
   * @param plusPlus k-means++ initialisation; false: k distinct points drawn uniformly
   */
  public static Result fit(
      float[] x,
      int d,
      int k,
      long seed,
      int label,
      int restarts,
      int maxIter,
      double tol,
      boolean plusPlus) {
    if (d < 1 || x.length % d != 0 || x.length == 0) {
      throw new IllegalArgumentException(
          "need n >= 1 points of dimension d >= 1, got " + x.length + " floats for d = " + d);
    }
    if (k < 1 || restarts < 1 || maxIter < 1) {
      throw new IllegalArgumentException(
          "need k, restarts and maxIter >= 1, got " + k + ", " + restarts + ", " + maxIter);
    }
    int n = x.length / d;
    if (n <= k) {
      List<double[]> own = new ArrayList<>();
      List<Long> counts = new ArrayList<>();
      for (int p = 0; p < n; p++) {
        double[] c = new double[d];
        for (int i = 0; i < d; i++) {
          c[i] = x[p * d + i];
        }
        own.add(c);
        counts.add(1L);
      }
      String note =
          n < k
              ? "class has "
                  + n
                  + " images, fewer than k = "
                  + k
                  + ": each image is its own centroid"
              : "class has exactly k = " + k + " images: each image is its own centroid";
      return new Result(own, counts, 0.0, 0, note);
    }
    double[] xNorms = new double[n];
    for (int p = 0; p < n; p++) {
      double s = 0;
      for (int i = 0; i < d; i++) {
        double v = x[p * d + i];
        s += v * v;
      }
      xNorms[p] = s;
    }
    if (k == 1) {
      double[] mean = new double[d];
      for (int p = 0; p < n; p++) {
        for (int i = 0; i < d; i++) {
          mean[i] += x[p * d + i];
        }
      }
      for (int i = 0; i < d; i++) {
        mean[i] /= n;
      }
      int[] all = new int[n];
      return new Result(
          List.of(mean), List.of((long) n), exactCost(x, d, new double[][] {mean}, all), 0, "");
    }
    Fit best = null;
    for (int restart = 0; restart < restarts; restart++) {
      SplittableRandom rng = new SplittableRandom(Seeds.forRestart(seed, label, restart));
      double[][] init =
          plusPlus
              ? KMeansSeeding.plusPlus(x, xNorms, d, k, rng)
              : KMeansSeeding.randomPoints(x, d, k, rng);
      Fit fit = lloyd(x, xNorms, d, init, maxIter, tol);
      if (best == null || fit.cost < best.cost) {
        best = fit;
      }
    }
    return best.result(k);
  }

  /** One Lloyd run's final centroids, cells and exact cost. */
  private record Fit(double[][] centers, long[] counts, double cost, int iterations) {
    Result result(int k) {
      List<double[]> centroids = new ArrayList<>();
      List<Long> sizes = new ArrayList<>();
      int empty = 0;
      for (int j = 0; j < centers.length; j++) {
        if (counts[j] == 0) {
          empty++;
          continue;
        }
        centroids.add(centers[j]);
        sizes.add(counts[j]);
      }
      String note = "";
      if (centroids.size() < k) {
        note =
            "k-means returned "
                + centroids.size()
                + " non-empty clusters of k = "
                + k
                + (empty > 0 ? " (" + empty + " empty dropped)" : "")
                + ": the class has fewer distinct latents than k; no images were invented";
      }
      return new Result(centroids, sizes, cost, iterations, note);
    }
  }

  private static Fit lloyd(
      float[] x, double[] xNorms, int d, double[][] centers, int maxIter, double tol) {
    int n = xNorms.length;
    int k = centers.length;
    int[] cell = new int[n];
    double tol2 = tol * tol;
    int iterations = 0;
    boolean converged = false;
    while (iterations < maxIter && !converged) {
      double[][] sums = new double[k][d];
      long[] counts = new long[k];
      assign(x, xNorms, d, centers, cell, sums, counts);
      converged = true;
      for (int j = 0; j < k; j++) {
        if (counts[j] == 0) {
          continue; // an empty cell keeps its centroid, as MLlib does
        }
        double move = 0;
        for (int i = 0; i < d; i++) {
          double v = sums[j][i] / counts[j];
          double diff = v - centers[j][i];
          move += diff * diff;
          sums[j][i] = v;
        }
        if (move > tol2) {
          converged = false;
        }
        centers[j] = sums[j];
      }
      iterations++;
    }
    long[] counts = new long[k];
    assign(x, xNorms, d, centers, cell, null, counts);
    return new Fit(centers, counts, exactCost(x, d, centers, cell), iterations);
  }

  /** Sum of squared distances of the points to their assigned centroids, in double. */
  private static double exactCost(float[] x, int d, double[][] centers, int[] cell) {
    double cost = 0;
    for (int p = 0; p < cell.length; p++) {
      double[] c = centers[cell[p]];
      double s = 0;
      for (int i = 0, o = p * d; i < d; i++) {
        double diff = x[o + i] - c[i];
        s += diff * diff;
      }
      cost += s;
    }
    return cost;
  }

  /**
   * Each point's nearest centroid (the lowest index on ties), by blocks of sgemm; counts the cells
   * and, when {@code sums} is given, adds each point to its cell's sum while its block is still in
   * cache (in point order, as a separate pass would).
   */
  private static void assign(
      float[] x,
      double[] xNorms,
      int d,
      double[][] centers,
      int[] cell,
      double[][] sums,
      long[] counts) {
    int n = xNorms.length;
    int k = centers.length;
    float[] c = new float[k * d];
    double[] cNorms = new double[k];
    for (int j = 0; j < k; j++) {
      double s = 0;
      for (int i = 0; i < d; i++) {
        float v = (float) centers[j][i];
        c[j * d + i] = v;
        s += (double) v * v;
      }
      cNorms[j] = s;
    }
    int block = blockRows(n, d);
    float[] dots = new float[block * k];
    for (int p0 = 0; p0 < n; p0 += block) {
      int rows = Math.min(block, n - p0);
      products(c, k, x, p0, rows, d, dots);
      for (int r = 0; r < rows; r++) {
        int p = p0 + r;
        int bestJ = 0;
        double bestD = Double.POSITIVE_INFINITY;
        for (int j = 0; j < k; j++) {
          double dist = xNorms[p] - 2.0 * dots[r * k + j] + cNorms[j];
          if (dist < bestD) {
            bestD = dist;
            bestJ = j;
          }
        }
        cell[p] = bestJ;
        counts[bestJ]++;
        if (sums != null) {
          double[] s = sums[bestJ];
          for (int i = 0, o = p * d; i < d; i++) {
            s[i] += x[o + i];
          }
        }
      }
    }
  }

  /**
   * Points per sgemm block: about {@value #BLOCK_BYTES} bytes of them, so that the block read by
   * the product is still in cache when its points are added to their cells; at least 64 and at most
   * {@value #MAX_BLOCK} (which bounds the distance block to MAX_BLOCK x k floats).
   */
  static int blockRows(int n, int d) {
    return Math.min(n, Math.max(64, Math.min(MAX_BLOCK, BLOCK_BYTES / (Float.BYTES * d))));
  }

  /**
   * dots[r * m + j] = a_j . x_(p0 + r) for the m rows of a (m x d, row-major) and rows p0 ..
   * p0+rows-1 of x: in column-major terms, (m x rows) = a^T (d x m)^T times x (d x rows).
   */
  static void products(float[] a, int m, float[] x, int p0, int rows, int d, float[] dots) {
    BLAS.getInstance().sgemm("T", "N", m, rows, d, 1.0f, a, 0, d, x, p0 * d, d, 0.0f, dots, 0, m);
  }
}
