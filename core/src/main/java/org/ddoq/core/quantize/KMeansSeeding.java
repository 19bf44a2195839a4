package org.ddoq.core.quantize;

import java.util.SplittableRandom;

/**
 * Where {@link LloydKMeans} starts: greedy k-means++ or k distinct random points. The distances to
 * the candidates are the same blocked sgemm products as Lloyd's assignment step.
 */
final class KMeansSeeding {
  private KMeansSeeding() {}

  /**
   * Greedy k-means++ (Arthur and Vassilvitskii 2007, with scikit-learn's 2 + floor(ln k) candidate
   * draws per centroid, the one lowering the potential most kept).
   */
  static double[][] plusPlus(float[] x, double[] xNorms, int d, int k, SplittableRandom rng) {
    int n = xNorms.length;
    int trials = 2 + (int) Math.log(k);
    double[][] centers = new double[k][];
    int first = rng.nextInt(n);
    centers[0] = row(x, d, first);
    double[] closest = distancesTo(x, xNorms, d, new int[] {first})[0];
    double potential = sum(closest);
    double[] cumulative = new double[n];
    for (int c = 1; c < k; c++) {
      double run = 0;
      for (int p = 0; p < n; p++) {
        run += closest[p];
        cumulative[p] = run;
      }
      int[] candidates = new int[trials];
      for (int t = 0; t < trials; t++) {
        candidates[t] = search(cumulative, rng.nextDouble() * run);
      }
      double[][] dist = distancesTo(x, xNorms, d, candidates);
      int bestT = 0;
      double bestPotential = Double.POSITIVE_INFINITY;
      for (int t = 0; t < trials; t++) {
        double pot = 0;
        for (int p = 0; p < n; p++) {
          pot += Math.min(closest[p], dist[t][p]);
        }
        if (pot < bestPotential) {
          bestPotential = pot;
          bestT = t;
        }
      }
      for (int p = 0; p < n; p++) {
        closest[p] = Math.min(closest[p], dist[bestT][p]);
      }
      potential = bestPotential;
      centers[c] = row(x, d, candidates[bestT]);
    }
    if (!(potential >= 0)) {
      throw new IllegalStateException("k-means++ potential is " + potential + ": non-finite data?");
    }
    return centers;
  }

  /** The first index whose cumulative weight exceeds {@code target} (the last one at worst). */
  private static int search(double[] cumulative, double target) {
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] > target) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** k distinct points drawn uniformly (a partial Fisher-Yates shuffle of the indices). */
  static double[][] randomPoints(float[] x, int d, int k, SplittableRandom rng) {
    int n = x.length / d;
    int[] index = new int[n];
    for (int p = 0; p < n; p++) {
      index[p] = p;
    }
    double[][] centers = new double[k][];
    for (int c = 0; c < k; c++) {
      int swap = c + rng.nextInt(n - c);
      int t = index[c];
      index[c] = index[swap];
      index[swap] = t;
      centers[c] = row(x, d, index[c]);
    }
    return centers;
  }

  /** Squared distances (>= 0) from every point to each of the given points: [candidate][point]. */
  private static double[][] distancesTo(float[] x, double[] xNorms, int d, int[] points) {
    int n = xNorms.length;
    int m = points.length;
    float[] a = new float[m * d];
    for (int t = 0; t < m; t++) {
      System.arraycopy(x, points[t] * d, a, t * d, d);
    }
    double[][] out = new double[m][n];
    int block = LloydKMeans.blockRows(n, d);
    float[] dots = new float[block * m];
    for (int p0 = 0; p0 < n; p0 += block) {
      int rows = Math.min(block, n - p0);
      LloydKMeans.products(a, m, x, p0, rows, d, dots);
      for (int r = 0; r < rows; r++) {
        for (int t = 0; t < m; t++) {
          double dist = xNorms[p0 + r] - 2.0 * dots[r * m + t] + xNorms[points[t]];
          out[t][p0 + r] = Math.max(0.0, dist);
        }
      }
    }
    for (int t = 0; t < m; t++) {
      out[t][points[t]] = 0.0;
    }
    return out;
  }

  private static double[] row(float[] x, int d, int p) {
    double[] r = new double[d];
    for (int i = 0; i < d; i++) {
      r[i] = x[p * d + i];
    }
    return r;
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double e : v) {
      s += e;
    }
    return s;
  }
}
