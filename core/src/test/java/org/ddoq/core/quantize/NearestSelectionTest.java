package org.ddoq.core.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Centroids replaced by their nearest real latents, with the masses of the chosen points' own
 * cells.
 */
class NearestSelectionTest {

  @Test
  void eachCentroidBecomesItsNearestPointWithThatPointsCell() {
    float[][] points = {{0, 0}, {1, 0}, {0.4f, 0}, {10, 10}, {11, 10}, {10, 12}};
    double[][] centroids = {{0.45, 0}, {10.4, 10.6}};
    NearestSelection.Result r = NearestSelection.select(points, centroids);
    assertArrayEquals(
        new int[] {2, 3}, r.chosen(), "point 2 is nearest to (0.45, 0); point 3 to (10.4, 10.6)");
    assertArrayEquals(new long[] {3, 3}, r.counts());
    // Squared distances to the nearest chosen point: 0.16, 0.36, 0 | 0, 1, 4.
    assertEquals((0.16 + 0.36 + 0 + 0 + 1 + 4) / 6, r.distortion(), 1e-6);
  }

  @Test
  void noPointIsChosenTwice() {
    // Both centroids are nearest to point 0; the closer pair wins and the other centroid takes its
    // next best.
    float[][] points = {{0, 0}, {3, 0}, {-5, 0}};
    double[][] centroids = {{0.5, 0}, {-0.1, 0}};
    NearestSelection.Result r = NearestSelection.select(points, centroids);
    assertArrayEquals(
        new int[] {1, 0},
        r.chosen(),
        "centroid 1 is closer to point 0, so centroid 0 takes point 1");
    assertEquals(3, Arrays.stream(r.counts()).sum());
  }

  @Test
  void countsCoverTheClassAndMassWeightsNeverLoseToUniform() {
    Random random = new Random(7);
    float[][] points = new float[300][8];
    for (float[] p : points) {
      for (int i = 0; i < p.length; i++) {
        p[i] = (float) random.nextGaussian();
      }
    }
    double[][] centroids = new double[10][8];
    for (double[] c : centroids) {
      for (int i = 0; i < c.length; i++) {
        c[i] = random.nextGaussian() * 0.5;
      }
    }
    NearestSelection.Result r = NearestSelection.select(points, centroids);
    assertEquals(300, Arrays.stream(r.counts()).sum());
    assertEquals(10, Arrays.stream(r.chosen()).distinct().count());
    assertTrue(
        r.distortion() <= r.uniformW2() * (1 + 1e-12),
        "Voronoi masses are the optimal weights for fixed points: "
            + r.distortion()
            + " vs "
            + r.uniformW2());
  }

  @Test
  void everyPointOfASmallClassIsChosenOnce() {
    float[][] points = {{0}, {1}, {2}};
    NearestSelection.Result r = NearestSelection.select(points, new double[][] {{0.9}, {1.1}, {5}});
    assertEquals(3, Arrays.stream(r.chosen()).distinct().count());
    assertArrayEquals(new long[] {1, 1, 1}, r.counts());
    assertEquals(0, r.distortion(), 0);
    assertThrows(
        IllegalArgumentException.class, () -> NearestSelection.select(points, new double[4][1]));
  }

  @Test
  void withCandidatesACentroidTakesTheSurestOfItsNearestFreePoints() {
    // Centroid 0 at the origin: its 3 nearest are points 0, 1, 2; the teacher is surest of point 2.
    // Point 3 is further out and surer still, but outside the 3 candidates.
    float[][] points = {{0.1f}, {0.2f}, {0.3f}, {0.9f}, {10}, {10.2f}};
    double[][] centroids = {{0}, {10}};
    float[] confidence = {0.2f, 0.5f, 0.7f, 0.99f, 0.1f, 0.6f};
    NearestSelection.Result r = NearestSelection.select(points, centroids, confidence, 3);
    assertArrayEquals(new int[] {2, 5}, r.chosen());
    assertArrayEquals(
        new long[] {4, 2}, r.counts(), "masses are still the chosen points' own cells");
    assertArrayEquals(
        NearestSelection.select(points, centroids).chosen(),
        NearestSelection.select(points, centroids, null, 1).chosen(),
        "one candidate is the nearest point");
  }

  @Test
  void thePoolHoldsEveryPointACentroidCanChooseAndNoOther() {
    Random random = new Random(3);
    float[][] points = new float[200][4];
    for (float[] p : points) {
      for (int i = 0; i < p.length; i++) {
        p[i] = (float) random.nextGaussian();
      }
    }
    double[][] centroids = new double[5][4];
    for (double[] c : centroids) {
      for (int i = 0; i < c.length; i++) {
        c[i] = random.nextGaussian() * 0.3;
      }
    }
    int[] pool = NearestSelection.pool(points, centroids, 10);
    assertTrue(
        pool.length >= 14 && pool.length <= 5 * 14,
        "each centroid's k - 1 + M = 14 nearest: " + pool.length);
    // Confidence only inside the pool (NaN outside, as the pipeline gives it): the choice never
    // reads NaN.
    float[] confidence = new float[points.length];
    Arrays.fill(confidence, Float.NaN);
    for (int p : pool) {
      confidence[p] = random.nextFloat();
    }
    NearestSelection.Result r = NearestSelection.select(points, centroids, confidence, 10);
    for (int c : r.chosen()) {
      assertTrue(Arrays.binarySearch(pool, c) >= 0, "chosen point " + c + " is in the pool");
    }
    assertEquals(5, Arrays.stream(r.chosen()).distinct().count());
    assertThrows(
        IllegalArgumentException.class, () -> NearestSelection.select(points, centroids, null, 10));
  }
}
