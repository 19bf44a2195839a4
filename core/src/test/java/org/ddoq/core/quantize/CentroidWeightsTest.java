package org.ddoq.core.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddoq.core.quantize.CentroidWeights.Scheme;
import org.junit.jupiter.api.Test;

/** Cell counts to training weights. */
class CentroidWeightsTest {
  private static final long[] COUNTS = {1, 4, 0, 11};

  @Test
  void massIsTheVoronoiFraction() {
    assertArrayEquals(
        new double[] {1 / 16.0, 4 / 16.0, 0, 11 / 16.0},
        CentroidWeights.weights(COUNTS, Scheme.MASS),
        1e-15);
  }

  @Test
  void sqrtIsNormalisedSquareRootOfCount() {
    double total = 1 + 2 + 0 + Math.sqrt(11);
    assertArrayEquals(
        new double[] {1 / total, 2 / total, 0, Math.sqrt(11) / total},
        CentroidWeights.weights(COUNTS, Scheme.SQRT),
        1e-15);
  }

  @Test
  void uniformIgnoresCountsLikeD4m() {
    assertArrayEquals(
        new double[] {0.25, 0.25, 0.25, 0.25}, CentroidWeights.weights(COUNTS, Scheme.UNIFORM), 0);
  }

  @Test
  void sqrtLiesBetweenMassAndUniformForTheLargestCell() {
    double mass = CentroidWeights.weights(COUNTS, Scheme.MASS)[3];
    double sqrt = CentroidWeights.weights(COUNTS, Scheme.SQRT)[3];
    assertTrue(0.25 < sqrt && sqrt < mass);
  }

  @Test
  void parsesNamesCaseInsensitively() {
    assertEquals(Scheme.MASS, Scheme.parse("mass"));
    assertEquals(Scheme.SQRT, Scheme.parse(" SQRT "));
    assertEquals(Scheme.UNIFORM, Scheme.parse("Uniform"));
  }

  @Test
  void unknownNameListsTheAcceptedValues() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Scheme.parse("voronoi"));
    assertTrue(
        e.getMessage().contains("'voronoi'") && e.getMessage().contains("mass, sqrt, uniform"),
        e.getMessage());
  }

  @Test
  void rejectsNoCentroidsNegativeCountsAndAllZero() {
    assertThrows(
        IllegalArgumentException.class, () -> CentroidWeights.weights(new long[0], Scheme.MASS));
    assertThrows(
        IllegalArgumentException.class,
        () -> CentroidWeights.weights(new long[] {3, -1}, Scheme.MASS));
    assertThrows(
        IllegalArgumentException.class,
        () -> CentroidWeights.weights(new long[] {0, 0}, Scheme.SQRT));
  }
}
