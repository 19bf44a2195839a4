package org.ddoq.core.quantize;

import java.util.Arrays;

/**
 * The on-manifold decoding of one class's centroids: each centroid is replaced by the training
 * image whose latent is nearest to it, no image chosen twice, and each chosen image gets the mass
 * of its own Voronoi cell among the chosen ones. The chosen latents are then an optimal quantizer
 * among real points: their mass-weighted W2^2 is the mean squared distance of the class to its
 * nearest chosen latent, reported with the exact W2^2 of the same points under uniform weights.
 *
 * <p>Matching: greedy by distance (the closest remaining centroid-image pair first), so a centroid
 * whose nearest image is also nearest to another centroid takes its next nearest instead. With k
 * centroids only each centroid's k nearest images can ever be chosen, so that is all that is kept
 * per centroid.
 *
 * <p>With {@code candidates} M > 1 and a confidence per point (a teacher's probability of the
 * point's own class), a centroid takes, among its M nearest free points, the one the teacher is
 * surest of: in a latent close to a downsampled image the very nearest photo is the most
 * average-looking one of its cell, which carries less of its class than a recognisable photo a few
 * places further out. The choice stays among the centroid's neighbours inside its own cell, and the
 * masses are still the chosen points' own cells.
 */
public final class NearestSelection {
  /**
   * @param chosen index into the class's points, per centroid (in the centroids' order)
   * @param counts points whose nearest chosen latent is this one (its Voronoi cell), per centroid
   * @param distortion mean squared distance of every point to its nearest chosen latent (= W2^2 of
   *     the mass-weighted chosen set)
   * @param uniformW2 exact W2^2 of the chosen latents with equal masses 1/k
   */
  public record Result(int[] chosen, long[] counts, double distortion, double uniformW2) {}

  private NearestSelection() {}

  /**
   * @param points the class's latents, n x d
   * @param centroids its centroids, k x d with k <= n
   */
  public static Result select(float[][] points, double[][] centroids) {
    return select(points, centroids, null, 1);
  }

  /**
   * The points any centroid may take with {@code candidates} M: each centroid's k - 1 + M nearest
   * (at most k - 1 of them are taken when it chooses). Only these need a confidence.
   */
  public static int[] pool(float[][] points, double[][] centroids, int candidates) {
    check(points.length, centroids.length, candidates);
    boolean[] in = new boolean[points.length];
    for (int[] near : nearest(points, centroids, candidates).points()) {
      for (int p : near) {
        in[p] = true;
      }
    }
    return java.util.stream.IntStream.range(0, points.length).filter(p -> in[p]).toArray();
  }

  /**
   * @param confidence per point, how sure a teacher is of its class (higher: surer); read only for
   *     the {@link #pool} points; null with {@code candidates} 1
   * @param candidates M: a centroid chooses among its M nearest free points (1: the nearest)
   */
  public static Result select(
      float[][] points, double[][] centroids, float[] confidence, int candidates) {
    int n = points.length;
    int k = centroids.length;
    check(n, k, candidates);
    if (candidates > 1 && (confidence == null || confidence.length != n)) {
      throw new IllegalArgumentException(
          "choosing among " + candidates + " candidates needs a confidence per point");
    }
    Neighbours near = nearest(points, centroids, candidates);
    int[][] nearest = near.points();
    double[][] nearestDistance = near.distances();
    // A candidate must lie in the centroid's own cell (the class's points nearest to it among the
    // centroids): in a sparse cell the M nearest free points can reach into a neighbour's.
    int[] cellOf = candidates == 1 ? null : cellOfCentroid(points, centroids);
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
      int point =
          candidates == 1
              ? nearest[bestCentroid][next[bestCentroid]]
              : surest(
                  bestCentroid,
                  nearest[bestCentroid],
                  next[bestCentroid],
                  candidates,
                  taken,
                  confidence,
                  cellOf);
      chosen[bestCentroid] = point;
      taken[point] = true;
    }
    return cells(points, chosen);
  }

  /**
   * Among the first {@code candidates} free points of {@code near} (from {@code from}, its nearest
   * free one), those of centroid {@code j}'s own cell: the highest confidence, ties to the nearer.
   * The nearest free point is always a candidate, so there is one even when the cell has no free
   * point left.
   */
  private static int surest(
      int j,
      int[] near,
      int from,
      int candidates,
      boolean[] taken,
      float[] confidence,
      int[] cellOf) {
    int best = near[from];
    int seen = 0;
    for (int r = from; r < near.length && seen < candidates; r++) {
      int p = near[r];
      if (taken[p]) {
        continue;
      }
      seen++;
      if (cellOf[p] == j && confidence[p] > confidence[best]) {
        best = p;
      }
    }
    return best;
  }

  private static int[] cellOfCentroid(float[][] points, double[][] centroids) {
    int[] cell = new int[points.length];
    for (int p = 0; p < points.length; p++) {
      double best = Double.POSITIVE_INFINITY;
      for (int j = 0; j < centroids.length; j++) {
        double d = squaredDistance(points[p], centroids[j]);
        if (d < best) {
          best = d;
          cell[p] = j;
        }
      }
    }
    return cell;
  }

  private static void check(int n, int k, int candidates) {
    if (k == 0 || k > n) {
      throw new IllegalArgumentException(
          "need 1 <= k <= n centroids, got k=" + k + " for n=" + n + " points");
    }
    if (candidates < 1) {
      throw new IllegalArgumentException("candidates must be at least 1, got " + candidates);
    }
  }

  /**
   * Per centroid, its nearest points (closest first, ties: lower index first) and their squared
   * distances.
   */
  private record Neighbours(int[][] points, double[][] distances) {}

  private static Neighbours nearest(float[][] points, double[][] centroids, int candidates) {
    int n = points.length;
    int k = centroids.length;
    int keep = (int) Math.min(n, (long) k - 1 + candidates);
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
      Arrays.sort(
          order, (a, b) -> d[a] != d[b] ? Double.compare(d[a], d[b]) : Integer.compare(a, b));
      nearest[j] = new int[keep];
      nearestDistance[j] = new double[keep];
      for (int r = 0; r < keep; r++) {
        nearest[j][r] = order[r];
        nearestDistance[j][r] = d[order[r]];
      }
    }
    return new Neighbours(nearest, nearestDistance);
  }

  /**
   * The chosen points' own Voronoi cells, the distortion of the class to them and their uniform
   * W2^2.
   */
  private static Result cells(float[][] points, int[] chosen) {
    int n = points.length;
    int k = chosen.length;
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
