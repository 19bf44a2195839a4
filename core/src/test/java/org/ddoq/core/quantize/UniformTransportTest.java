package org.ddoq.core.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exact uniform-weight W2^2: hand-worked cases, an exact 1-D oracle, and POT's EMD. */
class UniformTransportTest {
  private static final String PYTHON = "/usr/bin/python3";

  @Test
  void fourPointsTwoCentroidsEachPointToItsNearest() {
    // every point is 0.5 from its centroid and each centroid gets exactly half the mass
    assertEquals(0.25, w2(new double[] {0, 1, 2, 3}, new double[] {0.5, 2.5}), 1e-15);
  }

  @Test
  void equalMassesForceAPointToTheFartherCentroid() {
    // masses 1/3 vs 1/2: point 1 sends 1/6 to 0 (cost 1) and 1/6 to 10 (cost 81); point 2 -> 10
    // (64) 1/6 + 81/6 + 64/3 = 35, whereas the nearest-centroid distortion is only 64/3
    assertEquals(35.0, w2(new double[] {0, 1, 2}, new double[] {0, 10}), 1e-12);
  }

  @Test
  void fewerPointsThanCentroidsSplitsEachPoint() {
    // mass 1/2 per point, 1/4 per centroid: 0 -> {0, 1}, 4 -> {3, 4}; (0 + 1 + 1 + 0) / 4
    assertEquals(0.5, w2(new double[] {0, 4}, new double[] {0, 1, 3, 4}), 1e-15);
    // a single point moves to every centroid with mass 1/k
    assertEquals(14.0 / 3, w2(new double[] {0}, new double[] {1, 2, 3}), 1e-14);
  }

  @Test
  void pointsEqualToCentroidsCostNothing() {
    Random rnd = new Random(1);
    float[][] pts = gaussian(rnd, 30, 7);
    assertEquals(0.0, UniformTransport.w2Squared(pts, toDouble(pts)), 0.0);
    // each centroid carried by two identical points: n = 2k, still zero
    float[][] twice = new float[60][];
    for (int i = 0; i < 60; i++) {
      twice[i] = pts[i % 30];
    }
    assertEquals(0.0, UniformTransport.w2Squared(twice, toDouble(pts)), 0.0);
  }

  @Test
  void oneDimensionMatchesTheSortedQuantileCoupling() {
    // in 1-D the monotone coupling is optimal for convex costs, which gives an exact oracle
    Random rnd = new Random(2);
    int[][] sizes = {{7, 3}, {3, 7}, {100, 10}, {101, 10}, {13, 50}, {57, 57}, {250, 17}};
    for (int[] nk : sizes) {
      double[] x = new double[nk[0]];
      double[] c = new double[nk[1]];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (rnd.nextGaussian() * (i % 3 == 0 ? 4 : 1));
      }
      for (int j = 0; j < c.length; j++) {
        c[j] = rnd.nextGaussian() * 2;
      }
      double expected = quantileW2(x, c);
      assertEquals(expected, w2(x, c), 1e-12 * expected, "n=" + nk[0] + " k=" + nk[1]);
    }
  }

  @Test
  void weightedDistortionNeverExceedsUniformW2() {
    // the Voronoi-mass quantizer minimises over all centroid masses, uniform ones included
    Random rnd = new Random(3);
    for (int trial = 0; trial < 10; trial++) {
      int n = 20 + rnd.nextInt(200);
      int k = 1 + rnd.nextInt(30);
      float[][] pts = clustered(rnd, n, 5, 4);
      double[][] cen = toDouble(gaussian(rnd, k, 5));
      double[][] cost = UniformTransport.costMatrix(pts, cen);
      double distortion = 0;
      for (double[] row : cost) {
        distortion += Arrays.stream(row).min().getAsDouble();
      }
      distortion /= n;
      assertTrue(
          distortion <= UniformTransport.w2Squared(pts, cen) * (1 + 1e-12), "trial " + trial);
    }
  }

  @Test
  void rejectsEmptyAndMismatchedInput() {
    assertThrows(
        IllegalArgumentException.class,
        () -> UniformTransport.w2Squared(new float[0][], new double[][] {{0}}));
    assertThrows(
        IllegalArgumentException.class,
        () -> UniformTransport.w2Squared(new float[][] {{0}}, new double[0][]));
    assertThrows(
        IllegalArgumentException.class,
        () -> UniformTransport.w2Squared(new float[][] {{0, 1}}, new double[][] {{0}}));
    assertThrows(
        IllegalArgumentException.class,
        () -> UniformTransport.w2Squared(new float[][] {{Float.NaN}}, new double[][] {{0}}));
  }

  @Test
  void agreesWithPotExactEmd(@TempDir Path tmp) throws Exception {
    requirePot();
    Random rnd = new Random(4);
    // (n, k, d): k not dividing n, n < k, n = k, one centroid, larger clustered cases, and the last
    // two on a small integer grid, where duplicate points and equal costs make the problem
    // degenerate
    int[][] shapes = {
      {10, 3, 2},
      {37, 5, 3},
      {5, 12, 4},
      {20, 20, 2},
      {50, 1, 6},
      {1, 4, 3},
      {120, 7, 20},
      {200, 30, 8},
      {500, 50, 10},
      {90, 12, 2},
      {64, 64, 1}
    };
    int firstGrid = shapes.length - 2;
    List<float[][]> pts = new ArrayList<>();
    List<double[][]> cens = new ArrayList<>();
    StringBuilder in = new StringBuilder();
    for (int i = 0; i < shapes.length; i++) {
      int[] s = shapes[i];
      float[][] x = clustered(rnd, s[0], s[2], 1 + rnd.nextInt(6));
      float[][] cf = gaussian(rnd, s[1], s[2]);
      if (i >= firstGrid) {
        roundToGrid(x);
        roundToGrid(cf);
      }
      double[][] c = toDouble(cf);
      pts.add(x);
      cens.add(c);
      in.append(s[0]).append(' ').append(s[1]).append(' ').append(s[2]).append('\n');
      // (double) widening prints the float's exact value, so Python reads the same number
      for (float[] row : x) {
        for (float v : row) {
          in.append((double) v).append(' ');
        }
        in.append('\n');
      }
      for (double[] row : c) {
        for (double v : row) {
          in.append(v).append(' ');
        }
        in.append('\n');
      }
    }
    Path input = tmp.resolve("cases.txt");
    Files.writeString(input, in);
    List<String> out = runPython(script().toString(), input.toString());
    assertEquals(shapes.length, out.size(), "one POT result per case: " + out);
    for (int i = 0; i < shapes.length; i++) {
      double expected = Double.parseDouble(out.get(i));
      double actual = UniformTransport.w2Squared(pts.get(i), cens.get(i));
      assertEquals(
          expected, actual, 1e-9 * Math.abs(expected), "case " + Arrays.toString(shapes[i]));
      System.out.printf(
          "POT n,k,d=%s: %.17g vs %.17g, relative difference %.2e%n",
          Arrays.toString(shapes[i]),
          expected,
          actual,
          Math.abs(actual - expected) / Math.abs(expected));
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static double w2(double[] points1d, double[] centroids1d) {
    float[][] p = new float[points1d.length][];
    for (int i = 0; i < p.length; i++) {
      p[i] = new float[] {(float) points1d[i]};
    }
    double[][] c = new double[centroids1d.length][];
    for (int j = 0; j < c.length; j++) {
      c[j] = new double[] {centroids1d[j]};
    }
    return UniformTransport.w2Squared(p, c);
  }

  /**
   * Walks both sorted supports in units of 1/(nk): unit m belongs to point m/k and centroid m/n.
   */
  private static double quantileW2(double[] x, double[] c) {
    double[] xs = x.clone();
    double[] cs = c.clone();
    Arrays.sort(xs);
    Arrays.sort(cs);
    int n = xs.length;
    int k = cs.length;
    double sum = 0;
    for (long m = 0; m < (long) n * k; m++) {
      double diff = xs[(int) (m / k)] - cs[(int) (m / n)];
      sum += diff * diff;
    }
    return sum / ((double) n * k);
  }

  private static void roundToGrid(float[][] a) {
    for (float[] row : a) {
      for (int i = 0; i < row.length; i++) {
        row[i] = Math.round(row[i]);
      }
    }
  }

  static float[][] gaussian(Random rnd, int n, int d) {
    float[][] a = new float[n][d];
    for (float[] row : a) {
      for (int i = 0; i < d; i++) {
        row[i] = (float) rnd.nextGaussian();
      }
    }
    return a;
  }

  /** Points from `blobs` Gaussian blobs of unequal size, so Voronoi masses are far from uniform. */
  static float[][] clustered(Random rnd, int n, int d, int blobs) {
    float[][] centres = gaussian(rnd, blobs, d);
    float[][] a = new float[n][d];
    for (float[] row : a) {
      // squaring a uniform index skews blob sizes towards the first blobs
      double u = rnd.nextDouble();
      float[] centre = centres[(int) (u * u * blobs)];
      for (int i = 0; i < d; i++) {
        row[i] = (float) (3 * centre[i] + rnd.nextGaussian());
      }
    }
    return a;
  }

  static double[][] toDouble(float[][] a) {
    double[][] b = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      b[i] = new double[a[i].length];
      for (int j = 0; j < a[i].length; j++) {
        b[i][j] = a[i][j];
      }
    }
    return b;
  }

  private static void requirePot() throws IOException, InterruptedException {
    String hint =
        "the POT cross-check needs "
            + PYTHON
            + " with the 'ot' module: apt-get install python3-pot";
    if (!Files.isExecutable(Path.of(PYTHON))) {
      fail(PYTHON + " not found; " + hint);
    }
    Process p = new ProcessBuilder(PYTHON, "-c", "import ot").redirectErrorStream(true).start();
    String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      fail("'import ot' failed (" + msg.trim() + "); " + hint);
    }
  }

  private static Path script() throws URISyntaxException {
    return Path.of(UniformTransportTest.class.getResource("pot_emd2.py").toURI());
  }

  private static List<String> runPython(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(PYTHON));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "POT script timed out");
    assertEquals(0, p.exitValue(), "POT script failed; output: " + out);
    return out.lines().filter(l -> !l.isBlank()).toList();
  }
}
