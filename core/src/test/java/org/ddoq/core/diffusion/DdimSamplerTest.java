package org.ddoq.core.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.ddoq.core.prior.DiffusionSpec;
import org.junit.jupiter.api.Test;

class DdimSamplerTest {
  private static final int NULL = 10;
  private final GaussianDiffusion dit = new GaussianDiffusion(DiffusionSpec.dit(10, false));
  private final float[][] x0 = {
    {0.5f, -1f, 2f, 0f}, {1.5f, 0.25f, -0.75f, 3f}, {-2f, 1f, 0.1f, -0.3f}
  };
  private final int[] labels = {3, 7, 0};

  /**
   * A per-image model whose output depends on x_t, t and y, so wrong plumbing changes the result.
   */
  private static final Denoiser FAKE =
      (xt, t, y) -> {
        float[][] out = new float[xt.length][];
        for (int i = 0; i < xt.length; i++) {
          out[i] = new float[xt[i].length];
          for (int j = 0; j < xt[i].length; j++) {
            out[i][j] = 0.3f * xt[i][j] + 0.001f * t[i] + 0.05f * y[i] - 0.1f * j;
          }
        }
        return out;
      };

  private DdimSampler sampler(double strength, int steps, double guidance, double eta) {
    return new DdimSampler(dit, new SamplerSettings(strength, steps, guidance, eta));
  }

  @Test
  void strengthZeroReturnsTheLatentsBitForBitWithoutModelOrNoise() {
    DdimSampler s = sampler(0, 25, 4, 1);
    assertEquals(0, s.timesteps().length);
    float[][] out =
        s.sample((xt, t, y) -> fail("model called"), x0, labels, (i, n) -> fail("noise drawn"));
    assertNotSame(x0[0], out[0]);
    for (int i = 0; i < x0.length; i++) {
      assertArrayEquals(x0[i], out[i]);
    }
  }

  @Test
  void fullStrengthWith25StepsVisitsRoundedEvenSpacingFrom999() {
    assertArrayEquals(
        new int[] {
          999, 957, 916, 874, 833, 791, 749, 708, 666, 624, 583, 541, 500, 458, 416, 375, 333, 291,
          250, 208, 167, 125, 83, 42, 0
        },
        sampler(1, 25, 1, 0).timesteps());
  }

  @Test
  void strength07With50StepsRuns35StepsFrom699() {
    assertArrayEquals(
        new int[] {
          699, 678, 658, 637, 617, 596, 576, 555, 535, 514, 493, 473, 452, 432, 411, 391, 370, 350,
          329, 308, 288, 267, 247, 226, 206, 185, 164, 144, 123, 103, 82, 62, 41, 21, 0
        },
        sampler(0.7, 50, 1, 0).timesteps());
  }

  @Test
  void stepsAreCappedAtOnePerTimestepAndTinyStrengthStillRunsOneStep() {
    assertArrayEquals(new int[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, DdimSampler.visited(10, 1, 50));
    assertArrayEquals(new int[] {0}, sampler(1e-4, 25, 1, 0).timesteps());
    assertArrayEquals(new int[] {299}, sampler(0.3, 1, 1, 0).timesteps());
  }

  @Test
  void oneStepWithTheTrueNoiseRecoversX0FromAnyStart() {
    float[][] noise = {{1f, -0.5f, 0.2f, 2f}, {-1.2f, 0.3f, 0.9f, -0.1f}, {0.4f, 0.4f, -2f, 1f}};
    Denoiser oracle = (xt, t, y) -> noise.clone();
    for (double strength : new double[] {0.001, 0.3, 0.7, 1}) {
      float[][] out =
          sampler(strength, 1, 1, 0).sample(oracle, x0, labels, (i, n) -> noise[i].clone());
      for (int i = 0; i < x0.length; i++) {
        assertArrayEquals(x0[i], out[i], 1e-5f, "strength " + strength);
      }
    }
  }

  @Test
  void deterministicDdimWithTheTrueNoiseStaysOnTheTrajectoryToX0() {
    float[][] noise = {{1f, -0.5f, 0.2f, 2f}, {-1.2f, 0.3f, 0.9f, -0.1f}, {0.4f, 0.4f, -2f, 1f}};
    float[][] out =
        sampler(1, 25, 1, 0).sample((xt, t, y) -> noise.clone(), x0, labels, (i, n) -> noise[i]);
    for (int i = 0; i < x0.length; i++) {
      assertArrayEquals(x0[i], out[i], 1e-5f);
    }
  }

  @Test
  void etaZeroDrawsOneNoisePerImageAndRepeatsExactly() {
    List<Integer> draws = new ArrayList<>();
    NoiseSource seeded = DdimSampler.seeded(new long[] {1, 2, 3});
    NoiseSource counting =
        (i, n) -> {
          draws.add(i);
          return seeded.next(i, n);
        };
    float[][] first = sampler(0.7, 10, 2, 0).sample(FAKE, x0, labels, counting);
    assertEquals(List.of(0, 1, 2), draws);
    float[][] again =
        sampler(0.7, 10, 2, 0).sample(FAKE, x0, labels, DdimSampler.seeded(new long[] {1, 2, 3}));
    assertArrayEquals(first, again);
  }

  @Test
  void stochasticStepsDrawOneNoisePerStepExceptTheLast() {
    int[] draws = new int[3];
    NoiseSource seeded = DdimSampler.seeded(new long[] {1, 2, 3});
    DdimSampler s = sampler(1, 8, 1, 0.5);
    s.sample(
        FAKE,
        x0,
        labels,
        (i, n) -> {
          draws[i]++;
          return seeded.next(i, n);
        });
    assertArrayEquals(new int[] {8, 8, 8}, draws); // q_sample + 7 steps; the last step has sigma 0
  }

  @Test
  void sameSeedsGiveIdenticalImagesWhateverTheBatch() {
    DdimSampler s = sampler(0.8, 6, 3, 0.7);
    float[][] all = s.sample(FAKE, x0, labels, DdimSampler.seeded(new long[] {11, 22, 33}));
    float[][] reordered =
        s.sample(
            FAKE,
            new float[][] {x0[2], x0[0]},
            new int[] {labels[2], labels[0]},
            DdimSampler.seeded(new long[] {33, 11}));
    float[][] alone =
        s.sample(
            FAKE,
            new float[][] {x0[1]},
            new int[] {labels[1]},
            DdimSampler.seeded(new long[] {22}));
    assertArrayEquals(all[2], reordered[0]);
    assertArrayEquals(all[0], reordered[1]);
    assertArrayEquals(all[1], alone[0]);
  }

  @Test
  void guidanceCallsTheModelOncePerStepOnTheBatchDoubledWithTheNullLabel() {
    List<int[]> calls = new ArrayList<>();
    Denoiser byLabel =
        (xt, t, y) -> {
          calls.add(y.clone());
          for (int i = 0; i < xt.length / 2; i++) {
            assertArrayEquals(xt[i], xt[xt.length / 2 + i]);
          }
          float[][] out = new float[xt.length][4];
          for (int i = 0; i < xt.length; i++) {
            java.util.Arrays.fill(out[i], y[i] == NULL ? 0.5f : y[i] + 1);
          }
          return out;
        };
    double g = 3;
    float[][] guided =
        sampler(1, 5, g, 0).sample(byLabel, x0, labels, DdimSampler.seeded(new long[] {4, 5, 6}));
    assertEquals(5, calls.size());
    for (int[] y : calls) {
      assertArrayEquals(new int[] {3, 7, 0, NULL, NULL, NULL}, y);
    }
    // The same run with a conditional-only model that already returns eps_u + g (eps_c - eps_u).
    Denoiser mixed =
        (xt, t, y) -> {
          assertEquals(3, xt.length);
          float[][] out = new float[xt.length][4];
          for (int i = 0; i < xt.length; i++) {
            java.util.Arrays.fill(out[i], (float) (0.5 + g * (y[i] + 1 - 0.5)));
          }
          return out;
        };
    float[][] direct =
        sampler(1, 5, 1, 0).sample(mixed, x0, labels, DdimSampler.seeded(new long[] {4, 5, 6}));
    for (int i = 0; i < x0.length; i++) {
      assertArrayEquals(direct[i], guided[i], 1e-5f);
    }
  }

  @Test
  void learnedSigmaOutputContributesOnlyItsFirstHalf() {
    Denoiser twoC =
        (xt, t, y) -> {
          float[][] eps = FAKE.eps(xt, t, y);
          float[][] out = new float[eps.length][];
          for (int i = 0; i < eps.length; i++) {
            out[i] = new float[2 * eps[i].length];
            System.arraycopy(eps[i], 0, out[i], 0, eps[i].length);
            java.util.Arrays.fill(
                out[i], eps[i].length, out[i].length, 1e6f); // sigma channels: must be ignored
          }
          return out;
        };
    DdimSampler s = sampler(0.6, 10, 2, 0.3);
    float[][] plain = s.sample(FAKE, x0, labels, DdimSampler.seeded(new long[] {7, 8, 9}));
    float[][] learned = s.sample(twoC, x0, labels, DdimSampler.seeded(new long[] {7, 8, 9}));
    assertArrayEquals(plain, learned);
  }

  @Test
  void malformedInputsAndOutputsFailClearly() {
    DdimSampler s = sampler(0.5, 2, 1, 0);
    NoiseSource zeros = (i, n) -> new float[n];
    assertThrows(IllegalArgumentException.class, () -> s.sample(FAKE, x0, new int[] {1}, zeros));
    assertThrows(
        IllegalArgumentException.class,
        () -> s.sample(FAKE, x0, new int[] {1, 2, NULL + 1}, zeros));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> s.sample((xt, t, y) -> new float[xt.length][3], x0, labels, zeros));
    assertTrue(e.getMessage().contains("output has 3 values"), e.getMessage());
  }

  @Test
  void seededNoiseIsSplitMix64WithBoxMullerAndStandardNormal() {
    SeededNoise noise = new SeededNoise(new long[] {42, -7});
    java.util.SplittableRandom reference = new java.util.SplittableRandom(-7);
    for (int k = 0; k < 5; k++) {
      assertEquals(reference.nextLong(), noise.nextLong(1));
    }
    SeededNoise a = new SeededNoise(new long[] {42});
    double u1 = a.nextDouble(0);
    double u2 = a.nextDouble(0);
    double r = Math.sqrt(-2 * Math.log(1 - u1));
    float[] odd = new SeededNoise(new long[] {42}).next(0, 1);
    assertEquals((float) (r * Math.cos(2 * Math.PI * u2)), odd[0], 1e-6f);
    float[] z = new SeededNoise(new long[] {5}).next(0, 20001);
    double sum = 0;
    double sq = 0;
    for (float v : z) {
      sum += v;
      sq += v * v;
    }
    assertEquals(0, sum / z.length, 0.03);
    assertEquals(1, sq / z.length, 0.03);
  }
}
