package org.ddoq.core.quantize;

import java.util.Arrays;

/**
 * Exact squared 2-Wasserstein distance between n points of mass 1/n and k centroids of mass 1/k,
 * under squared Euclidean cost: the error of the centroids used with uniform weights (D4M), to be
 * set against the weighted quantization error of the same centroids.
 *
 * <p>Method: masses are scaled to integers (each point supplies k units, each centroid demands n,
 * one unit = 1/(nk)) and the transportation problem is solved by successive shortest paths, adding
 * one point at a time. Only centroids carry potentials; a point's potential is implicitly its
 * c-transform, so an augmenting path centroid j -> point p -> centroid j' has reduced cost {@code
 * c[p][j'] - c[p][j] + pi[j] - pi[j']} (point potentials cancel). The cheapest such hop over the
 * points that currently send flow to j is kept in a lazy min-heap per ordered pair (j, j'), so each
 * shortest path is a dense Dijkstra on k nodes, O(k^2), stopping at the first centroid with spare
 * demand; the bottleneck amount is pushed. Exact up to double rounding (no entropic smoothing).
 */
public final class UniformTransport {
  private UniformTransport() {}

  /**
   * @param points n x d (n >= 1), each of mass 1/n
   * @param centroids k x d (k >= 1, same d), each of mass 1/k
   * @return W2^2 = min over couplings of the mean squared Euclidean distance moved
   */
  public static double w2Squared(float[][] points, double[][] centroids) {
    int n = points.length;
    int k = centroids.length;
    if (n == 0 || k == 0) {
      throw new IllegalArgumentException(
          "need at least one point and one centroid, got n=" + n + ", k=" + k);
    }
    return w2Squared(costMatrix(points, centroids), n, k);
  }

  /**
   * @param points n x d floats, row-major (n = points.length / d >= 1), each of mass 1/n
   * @param d the dimension
   * @param centroids k x d (k >= 1), each of mass 1/k
   * @return W2^2, as {@link #w2Squared(float[][], double[][])}
   */
  public static double w2Squared(float[] points, int d, double[][] centroids) {
    int k = centroids.length;
    if (d < 1 || points.length == 0 || points.length % d != 0 || k == 0) {
      throw new IllegalArgumentException(
          "need at least one point of dimension d >= 1 and one centroid, got "
              + points.length
              + " floats for d = "
              + d
              + ", k = "
              + k);
    }
    int n = points.length / d;
    checkCentroids(centroids, d);
    double[][] cost = new double[n][k];
    for (int p = 0; p < n; p++) {
      costRow(points, p * d, p, centroids, cost[p]);
    }
    return w2Squared(cost, n, k);
  }

  private static double w2Squared(double[][] cost, int n, int k) {
    int[][] flow = solve(cost, n, k);
    double total = 0;
    for (int p = 0; p < n; p++) {
      for (int j = 0; j < k; j++) {
        total += flow[p][j] * cost[p][j];
      }
    }
    return total / ((double) n * k);
  }

  static double[][] costMatrix(float[][] points, double[][] centroids) {
    int d = centroids[0].length;
    checkCentroids(centroids, d);
    double[][] cost = new double[points.length][centroids.length];
    for (int p = 0; p < points.length; p++) {
      if (points[p].length != d) {
        throw new IllegalArgumentException(
            "point " + p + " has dimension " + points[p].length + ", centroids have " + d);
      }
      costRow(points[p], 0, p, centroids, cost[p]);
    }
    return cost;
  }

  private static void checkCentroids(double[][] centroids, int d) {
    for (int j = 0; j < centroids.length; j++) {
      if (centroids[j].length != d) {
        throw new IllegalArgumentException(
            "centroid " + j + " has dimension " + centroids[j].length + ", expected " + d);
      }
    }
  }

  /**
   * Squared distances from the point at {@code x[off .. off + d)} (point {@code p}, for errors) to
   * every centroid, each as four partial sums of (x_i - c_i)^2 (exact differences, so a point on a
   * centroid costs exactly 0). Two centroids per pass over the point, four partial sums each: a
   * single running sum waits on every addition's latency, and this n x k x d cost matrix was most
   * of the W2's time (1,300 x 50 x 1,024 terms per class at ImageNet-like shapes).
   */
  private static void costRow(float[] x, int off, int p, double[][] centroids, double[] row) {
    int k = centroids.length;
    int d = centroids[0].length;
    double[] v = new double[d];
    for (int i = 0; i < d; i++) {
      v[i] = x[off + i];
    }
    int j = 0;
    for (; j + 1 < k; j += 2) {
      double[] a = centroids[j];
      double[] b = centroids[j + 1];
      double a0 = 0;
      double a1 = 0;
      double a2 = 0;
      double a3 = 0;
      double b0 = 0;
      double b1 = 0;
      double b2 = 0;
      double b3 = 0;
      int i = 0;
      for (; i + 3 < d; i += 4) {
        double e0 = v[i] - a[i];
        double e1 = v[i + 1] - a[i + 1];
        double e2 = v[i + 2] - a[i + 2];
        double e3 = v[i + 3] - a[i + 3];
        double f0 = v[i] - b[i];
        double f1 = v[i + 1] - b[i + 1];
        double f2 = v[i + 2] - b[i + 2];
        double f3 = v[i + 3] - b[i + 3];
        a0 += e0 * e0;
        a1 += e1 * e1;
        a2 += e2 * e2;
        a3 += e3 * e3;
        b0 += f0 * f0;
        b1 += f1 * f1;
        b2 += f2 * f2;
        b3 += f3 * f3;
      }
      for (; i < d; i++) {
        double e = v[i] - a[i];
        double f = v[i] - b[i];
        a0 += e * e;
        b0 += f * f;
      }
      row[j] = finite((a0 + a1) + (a2 + a3), p, j);
      row[j + 1] = finite((b0 + b1) + (b2 + b3), p, j + 1);
    }
    if (j < k) {
      double[] a = centroids[j];
      double a0 = 0;
      double a1 = 0;
      double a2 = 0;
      double a3 = 0;
      int i = 0;
      for (; i + 3 < d; i += 4) {
        double e0 = v[i] - a[i];
        double e1 = v[i + 1] - a[i + 1];
        double e2 = v[i + 2] - a[i + 2];
        double e3 = v[i + 3] - a[i + 3];
        a0 += e0 * e0;
        a1 += e1 * e1;
        a2 += e2 * e2;
        a3 += e3 * e3;
      }
      for (; i < d; i++) {
        double e = v[i] - a[i];
        a0 += e * e;
      }
      row[j] = finite((a0 + a1) + (a2 + a3), p, j);
    }
  }

  private static double finite(double s, int p, int j) {
    if (!Double.isFinite(s)) {
      throw new IllegalArgumentException(
          "non-finite distance between point " + p + " and centroid " + j);
    }
    return s;
  }

  /** Integer flows f[p][j] (units of 1/(nk)) of an optimal coupling. */
  private static int[][] solve(double[][] cost, int n, int k) {
    int[][] flow = new int[n][k];
    int[] spare = new int[k];
    Arrays.fill(spare, n);
    double[] pi = new double[k];
    // hop[j * k + j2] holds points p with flow[p][j] > 0, keyed by cost[p][j2] - cost[p][j]
    PointHeap[] hop = new PointHeap[k * k];
    for (int i = 0; i < hop.length; i++) {
      hop[i] = new PointHeap();
    }
    double[] dist = new double[k];
    int[] pred = new int[k]; // previous centroid on the path, -1 = straight from the source
    int[] predPoint = new int[k]; // point carrying the hop from pred
    boolean[] done = new boolean[k];

    for (int s = 0; s < n; s++) {
      int supply = k;
      while (supply > 0) {
        // Source edges: reduced cost of s -> j up to a constant; no other edge enters a centroid
        // from s.
        for (int j = 0; j < k; j++) {
          dist[j] = cost[s][j] - pi[j];
          pred[j] = -1;
          done[j] = false;
        }
        int target = -1;
        for (int round = 0; round < k; round++) {
          int u = -1;
          for (int j = 0; j < k; j++) {
            if (!done[j] && (u < 0 || dist[j] < dist[u])) {
              u = j;
            }
          }
          done[u] = true;
          if (spare[u] > 0) {
            target = u;
            break;
          }
          for (int v = 0; v < k; v++) {
            if (done[v]) {
              continue;
            }
            PointHeap h = hop[u * k + v];
            h.dropInvalid(flow, u);
            if (h.isEmpty()) {
              continue;
            }
            double nd = dist[u] + h.topKey() + pi[u] - pi[v];
            if (nd < dist[v]) {
              dist[v] = nd;
              pred[v] = u;
              predPoint[v] = h.topPoint();
            }
          }
        }
        // Some centroid always has spare demand while a point still has supply (total mass
        // balances).
        double reach = dist[target];
        for (int j = 0; j < k; j++) {
          pi[j] += done[j] ? dist[j] - reach : 0;
        }
        int delta = Math.min(supply, spare[target]);
        for (int v = target; pred[v] >= 0; v = pred[v]) {
          delta = Math.min(delta, flow[predPoint[v]][pred[v]]);
        }
        for (int v = target; ; v = pred[v]) {
          if (pred[v] < 0) {
            addFlow(flow, hop, cost, s, v, delta, k);
            break;
          }
          int p = predPoint[v];
          flow[p][pred[v]] -= delta;
          addFlow(flow, hop, cost, p, v, delta, k);
        }
        supply -= delta;
        spare[target] -= delta;
      }
    }
    return flow;
  }

  private static void addFlow(
      int[][] flow, PointHeap[] hop, double[][] cost, int p, int j, int delta, int k) {
    if (flow[p][j] == 0) {
      for (int j2 = 0; j2 < k; j2++) {
        if (j2 != j) {
          hop[j * k + j2].push(cost[p][j2] - cost[p][j], p);
        }
      }
    }
    flow[p][j] += delta;
  }

  /**
   * Binary min-heap of (key, point); entries whose point no longer sends flow are dropped lazily.
   */
  private static final class PointHeap {
    private double[] keys = new double[4];
    private int[] points = new int[4];
    private int size;

    boolean isEmpty() {
      return size == 0;
    }

    double topKey() {
      return keys[0];
    }

    int topPoint() {
      return points[0];
    }

    /** Pops entries at the top whose point has stopped sending flow to centroid j. */
    void dropInvalid(int[][] flow, int j) {
      while (size > 0 && flow[points[0]][j] == 0) {
        pop();
      }
    }

    void push(double key, int point) {
      if (size == keys.length) {
        keys = Arrays.copyOf(keys, size * 2);
        points = Arrays.copyOf(points, size * 2);
      }
      int i = size++;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (keys[parent] <= key) {
          break;
        }
        keys[i] = keys[parent];
        points[i] = points[parent];
        i = parent;
      }
      keys[i] = key;
      points[i] = point;
    }

    private void pop() {
      size--;
      double key = keys[size];
      int point = points[size];
      int i = 0;
      while (true) {
        int child = 2 * i + 1;
        if (child >= size) {
          break;
        }
        if (child + 1 < size && keys[child + 1] < keys[child]) {
          child++;
        }
        if (keys[child] >= key) {
          break;
        }
        keys[i] = keys[child];
        points[i] = points[child];
        i = child;
      }
      keys[i] = key;
      points[i] = point;
    }
  }
}
