package org.ddoq.core.quantize;

import java.util.Arrays;

/**
 * The on-manifold decoding of one class's centroids: each centroid is replaced by the training image
 * whose latent is nearest to it, no image chosen twice, and each chosen image gets the mass of its own
 * Voronoi cell among the chosen ones. The chosen latents are then an optimal quantizer among real
 * points: their mass-weighted W2^2 is the mean squared distance of the class to its nearest chosen
 * latent, reported with the exact W2^2 of the same points under uniform weights.
 *
 * <p>Matching: greedy by distance (the closest remaining centroid-image pair first), so a centroid whose
 * nearest image is also nearest to another centroid takes its next nearest instead. With k centroids
 * only each centroid's k nearest images can ever be chosen, so that is all that is kept per centroid.
 */
public final class NearestSelection {
  /**
   * @param chosen     index into the class's points, per centroid (in the centroids' order)
   * @param counts     points whose nearest chosen latent is this one (its Voronoi cell), per centroid
   * @param distortion mean squared distance of every point to its nearest chosen latent (= W2^2 of the
   *                   mass-weighted chosen set)
   * @param uniformW2  exact W2^2 of the chosen latents with equal masses 1/k
   */
  public record Result(int[] chosen, long[] counts, double distortion, double uniformW2) {}

  private NearestSelection() {}

  /**
   * @param points    the class's latents, n x d
   * @param centroids its centroids, k x d with k <= n
   */
  public static Result select(float[][] points, double[][] centroids) {
    int n = points.length;
    int k = centroids.length;
    if (k == 0 || k > n) {
      throw new IllegalArgumentException("need 1 <= k <= n centroids, got k=" + k + " for n=" + n + " points");
    }
    int keep = Math.min(k, n);
    // nearest[j] = centroid j's `keep` nearest points, closest first (ties: lower index first).
    int[][] nearest = new int[k][];
    double[][] nearestDistance = new double[k][];
    for (int j = 0; j < k; j++) {
      double[] d = new double[n];
      for (int p = 0; p < n; p++) {
        d[p] = squaredDistance(points[p], centroids[j]);
      }
      Integer[] order = new Integer[n];
      for (int p = 0; p < n; p++) {
        order[p] = p;
      }
      Arrays.sort(order, (a, b) -> d[a] != d[b] ? Double.compare(d[a], d[b]) : Integer.compare(a, b));
      nearest[j] = new int[keep];
      nearestDistance[j] = new double[keep];
      for (int r = 0; r < keep; r++) {
        nearest[j][r] = order[r];
        nearestDistance[j][r] = d[order[r]];
      }
    }
    int[] chosen = new int[k];
    Arrays.fill(chosen, -1);
    int[] next = new int[k];
    boolean[] taken = new boolean[n];
    for (int round = 0; round < k; round++) {
      int bestCentroid = -1;
      double best = Double.POSITIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        if (chosen[j] >= 0) {
          continue;
        }
        while (taken[nearest[j][next[j]]]) {
          next[j]++; // at most round < k of its candidates are taken, so one is always left
        }
        double d = nearestDistance[j][next[j]];
        if (d < best || bestCentroid < 0) {
          best = d;
          bestCentroid = j;
        }
      }
      int point = nearest[bestCentroid][next[bestCentroid]];
      chosen[bestCentroid] = point;
      taken[point] = true;
    }
    double[][] chosenLatents = new double[k][];
    for (int j = 0; j < k; j++) {
      chosenLatents[j] = widen(points[chosen[j]]);
    }
    long[] counts = new long[k];
    double total = 0;
    for (float[] point : points) {
      int cell = 0;
      double bestDistance = Double.POSITIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        double d = squaredDistance(point, chosenLatents[j]);
        if (d < bestDistance) {
          bestDistance = d;
          cell = j;
        }
      }
      counts[cell]++;
      total += bestDistance;
    }
    double uniform = UniformTransport.w2Squared(points, chosenLatents);
    return new Result(chosen, counts, total / n, uniform);
  }

  private static double[] widen(float[] x) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i];
    }
    return out;
  }

  static double squaredDistance(float[] x, double[] c) {
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      double diff = x[i] - c[i];
      s += diff * diff;
    }
    return s;
  }
}
