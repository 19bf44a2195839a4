package org.ddoq.core.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The in-task k-means on cases worked by hand and on random blobs. */
class LloydKMeansTest {

  /** Three tight blobs of 50 points in 8-D around far-apart centres. */
  private static float[] blobs(int d, long seed) {
    Random r = new Random(seed);
    float[] x = new float[150 * d];
    for (int p = 0; p < 150; p++) {
      int blob = p % 3;
      for (int i = 0; i < d; i++) {
        x[p * d + i] = (float) ((i == blob ? 100 : 0) + r.nextGaussian());
      }
    }
    return x;
  }

  @Test
  void findsSeparatedBlobsWithExactMeansAndCost() {
    int d = 8;
    float[] x = blobs(d, 1);
    LloydKMeans.Result r = LloydKMeans.fit(x, d, 3, 5, 0, 1, 50, 1e-6, true);
    assertEquals(3, r.centroids().size());
    assertEquals(List.of(50L, 50L, 50L), r.counts());
    assertTrue(r.note().isEmpty(), r.note());
    double cost = 0;
    for (double[] c : r.centroids()) {
      int blob = c[0] > 50 ? 0 : c[1] > 50 ? 1 : 2;
      double[] mean = new double[d];
      for (int p = blob; p < 150; p += 3) {
        for (int i = 0; i < d; i++) {
          mean[i] += x[p * d + i] / 50.0;
        }
      }
      assertArrayEquals(mean, c, 1e-9);
      for (int p = blob; p < 150; p += 3) {
        for (int i = 0; i < d; i++) {
          cost += (x[p * d + i] - mean[i]) * (x[p * d + i] - mean[i]);
        }
      }
    }
    assertEquals(cost, r.cost(), 1e-9 * cost);
  }

  /** MLlib's tolerance: a fit stops once no centroid moves more than tol, else after maxIter. */
  @Test
  void stopsAtMaxIterOrWhenNoCentroidMovesMoreThanTol() {
    int d = 8;
    float[] x = blobs(d, 2);
    assertEquals(1, LloydKMeans.fit(x, d, 5, 1, 0, 1, 1, 0.0, true).iterations());
    assertEquals(1, LloydKMeans.fit(x, d, 5, 1, 0, 1, 50, 1e9, true).iterations());
    // Separated blobs: the second iteration moves nothing, which ends the fit.
    assertEquals(2, LloydKMeans.fit(x, d, 3, 1, 0, 1, 50, 0.0, true).iterations());
  }

  @Test
  void restartsKeepTheLowestCostAndTheSeedFixesTheResult() {
    int d = 4;
    Random r = new Random(3);
    float[] x = new float[400 * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    LloydKMeans.Result one = LloydKMeans.fit(x, d, 7, 9, 2, 1, 50, 1e-6, true);
    LloydKMeans.Result three = LloydKMeans.fit(x, d, 7, 9, 2, 3, 50, 1e-6, true);
    assertTrue(three.cost() <= one.cost(), three.cost() + " > " + one.cost());
    LloydKMeans.Result again = LloydKMeans.fit(x, d, 7, 9, 2, 3, 50, 1e-6, true);
    assertEquals(three.cost(), again.cost());
    for (int j = 0; j < three.centroids().size(); j++) {
      assertArrayEquals(three.centroids().get(j), again.centroids().get(j));
    }
    LloydKMeans.Result random = LloydKMeans.fit(x, d, 7, 9, 2, 3, 50, 1e-6, false);
    assertEquals(7, random.centroids().size());
  }

  /**
   * Fewer distinct points than k: the duplicate centroids' empty cells are dropped, with a note.
   */
  @Test
  void emptyClustersAreDroppedWithANote() {
    float[] x = {0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 9, 9};
    LloydKMeans.Result r = LloydKMeans.fit(x, 2, 4, 0, 0, 1, 20, 1e-6, true);
    assertEquals(3, r.centroids().size());
    assertEquals(6L, r.counts().stream().mapToLong(Long::longValue).sum());
    assertEquals(0.0, r.cost());
    assertTrue(r.note().contains("3 non-empty clusters of k = 4"), r.note());
    assertTrue(r.note().contains("1 empty dropped"), r.note());
    List<double[]> sorted =
        r.centroids().stream().sorted(Comparator.comparingDouble(c -> c[0])).toList();
    assertArrayEquals(new double[] {0, 0}, sorted.get(0));
    assertArrayEquals(new double[] {9, 9}, sorted.get(2));
  }

  @Test
  void atMostKPointsAreTheirOwnCentroidsAndOneCentroidIsTheMean() {
    float[] x = {1, 2, 3, 4};
    LloydKMeans.Result own = LloydKMeans.fit(x, 2, 2, 0, 0, 1, 20, 1e-6, true);
    assertEquals(List.of(1L, 1L), own.counts());
    assertArrayEquals(new double[] {3, 4}, own.centroids().get(1));
    assertTrue(own.note().contains("exactly k = 2"), own.note());
    assertTrue(
        LloydKMeans.fit(x, 2, 3, 0, 0, 1, 20, 1e-6, true).note().contains("fewer than k = 3"));
    LloydKMeans.Result mean = LloydKMeans.fit(x, 2, 1, 0, 0, 1, 20, 1e-6, true);
    assertArrayEquals(new double[] {2, 3}, mean.centroids().get(0));
    assertEquals(List.of(2L), mean.counts());
    assertEquals(4.0, mean.cost(), 1e-12);
  }

  @Test
  void flatUniformW2EqualsTheRowsOne() {
    float[][] rows = {{0, 0}, {0, 1}, {10, 0}, {10, 1}, {10, 2}};
    float[] flat = {0, 0, 0, 1, 10, 0, 10, 1, 10, 2};
    double[][] c = {{0, 0.5}, {10, 1}};
    assertEquals(10.425, UniformTransport.w2Squared(flat, 2, c), 1e-9);
    assertEquals(UniformTransport.w2Squared(rows, c), UniformTransport.w2Squared(flat, 2, c));
  }
}
