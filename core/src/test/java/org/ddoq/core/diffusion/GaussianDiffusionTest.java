package org.ddoq.core.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.ddoq.core.prior.DiffusionSpec;
import org.junit.jupiter.api.Test;

class GaussianDiffusionTest {
  private final GaussianDiffusion dit = new GaussianDiffusion(DiffusionSpec.dit(10, true));

  @Test
  void alphaBarOfDitLinearScheduleMatchesHandValues() {
    assertEquals(1000, dit.timesteps());
    assertEquals(1.0, dit.alphaBar(-1));
    assertEquals(1 - 1e-4, dit.alphaBar(0), 1e-15);
    assertEquals((1 - 1e-4) * (1 - (1e-4 + 0.0199 / 999)), dit.alphaBar(1), 1e-15);
    // numpy: np.cumprod(1 - np.linspace(1e-4, 0.02, 1000))
    assertEquals(0.07858724288177824, dit.alphaBar(499), 1e-13);
    assertEquals(4.035829765375676e-05, dit.alphaBar(999), 1e-15);
  }

  @Test
  void alphaBarEqualsExpOfSummedLogsOfOneMinusBeta() {
    for (int t : new int[] {0, 7, 100, 333, 998, 999}) {
      double logSum = 0;
      for (int i = 0; i <= t; i++) {
        logSum += Math.log1p(-(1e-4 + (0.02 - 1e-4) * i / 999.0));
      }
      assertEquals(Math.exp(logSum), dit.alphaBar(t), 1e-12 * Math.exp(logSum), "t=" + t);
    }
  }

  @Test
  void singleStepScheduleUsesBetaStart() {
    GaussianDiffusion one = new GaussianDiffusion(new DiffusionSpec(1, 0.1, 0.2, 2, false));
    assertEquals(0.9, one.alphaBar(0), 1e-15);
  }

  @Test
  void alphaBarRejectsTimestepsOutsideTheChain() {
    assertThrows(IllegalArgumentException.class, () -> dit.alphaBar(-2));
    assertThrows(IllegalArgumentException.class, () -> dit.alphaBar(1000));
  }

  @Test
  void qSampleMixesSignalAndNoiseBySquareRootsOfAlphaBar() {
    float[] x0 = {1f, -2f, 0.5f};
    float[] noise = {0.3f, 1.1f, -0.7f};
    for (int t : new int[] {0, 250, 999}) {
      double a = dit.alphaBar(t);
      float[] xt = dit.qSample(x0, t, noise);
      for (int j = 0; j < 3; j++) {
        assertEquals(Math.sqrt(a) * x0[j] + Math.sqrt(1 - a) * noise[j], xt[j], 1e-6, "t=" + t);
      }
    }
    assertThrows(IllegalArgumentException.class, () -> dit.qSample(x0, 0, new float[2]));
  }
}
