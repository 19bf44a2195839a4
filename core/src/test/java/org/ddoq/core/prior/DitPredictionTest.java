package org.ddoq.core.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DitPredictionTest {
  private static final DitNoising.Schedule SCHEDULE =
      DitNoising.Schedule.of(DiffusionSpec.dit(10, false));

  @Test
  void aPerfectVPredictionGivesBackTheTrueNoiseAndTheCleanLatentAtEveryTimestep() {
    Random random = new Random(3);
    for (int t = 0; t < 1000; t += 37) {
      double a = SCHEDULE.sqrtAlphaBar()[t];
      double b = SCHEDULE.sqrtOneMinusAlphaBar()[t];
      double x0 = random.nextGaussian();
      double eps = random.nextGaussian();
      double xt = a * x0 + b * eps;
      double v = DitPrediction.V.target(eps, x0, a, b);
      assertEquals(a * eps - b * x0, v, 1e-15, "v = a eps - b x0");
      assertEquals(eps, DitPrediction.V.epsilon(v, xt, a, b), 1e-12, "t = " + t);
      assertEquals(x0, a * xt - b * v, 1e-12, "x0 = a x_t - b v at t = " + t);
      assertEquals(eps, DitPrediction.EPSILON.target(eps, x0, a, b));
      assertEquals(0.25, DitPrediction.EPSILON.epsilon(0.25, xt, a, b));
    }
  }

  @Test
  void aVErrorBecomesAnX0ErrorNoLargerThanItselfWhereAnEpsilonErrorIsAmplified() {
    int t = 999;
    double a = SCHEDULE.sqrtAlphaBar()[t];
    double b = SCHEDULE.sqrtOneMinusAlphaBar()[t];
    double error = 0.01;
    // x0 = (x_t - b eps) / a: an epsilon error e moves x0 by (b / a) e.
    double x0ErrorFromEps = b / a * error;
    // eps = b x_t + a v, so a v error e moves eps by a e and x0 by (b / a) a e = b e.
    double epsFromV = DitPrediction.V.epsilon(error, 0, a, b) - DitPrediction.V.epsilon(0, 0, a, b);
    double x0ErrorFromV = b / a * epsFromV;
    assertEquals(b * error, x0ErrorFromV, 1e-12);
    assertEquals(
        true, x0ErrorFromEps > 150 * error, "epsilon: amplified " + x0ErrorFromEps / error + "x");
  }

  @Test
  void priorsWithoutTheKeyAreEpsilonPriorsAndTheCommandLineNamesParse() {
    assertEquals(DitPrediction.EPSILON, DitPrediction.of(Map.of()));
    assertEquals(
        DitPrediction.EPSILON,
        DitPrediction.of(Dit.TINY.withPrediction(DitPrediction.EPSILON).architecture()));
    assertEquals(DitPrediction.V, DitPrediction.of(Dit.TINY.architecture()));
    assertEquals(DitPrediction.V, DitPrediction.parse("v"));
    assertEquals(DitPrediction.EPSILON, DitPrediction.parse(DitPrediction.EPSILON.cliName()));
    assertThrows(IllegalArgumentException.class, () -> DitPrediction.parse("x0"));
  }
}
