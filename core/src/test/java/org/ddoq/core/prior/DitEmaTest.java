package org.ddoq.core.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The moving average the prior keeps: ema = decay * ema + (1 - decay) * weights, step after step.
 */
class DitEmaTest {

  @Test
  void averageFollowsTheStepsWeightsByTheDecay() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Dit dit =
          DitTest.perturbed(
              new Dit(DitTest.LATENT, DitTest.CLASSES, Dit.TINY, Dit.LABEL_DROPOUT), m);
      List<float[]> start = weights(dit);
      DitEma ema =
          new DitEma(
              dit, new Dit(DitTest.LATENT, DitTest.CLASSES, Dit.TINY, Dit.LABEL_DROPOUT), m, 0.75);
      // Two "steps": every weight moves by +1, then by +1 again.
      // Late steps (warm-up over: (1 + 1000) / (10 + 1000) > 0.75).
      for (int step = 1000; step <= 1001; step++) {
        for (Pair<String, Parameter> p : dit.getParameters()) {
          p.getValue().getArray().addi(1f);
        }
        ema.update(step);
      }
      // ema1 = w0 + 0.25, ema2 = 0.75 (w0 + 0.25) + 0.25 (w0 + 2) = w0 + 0.6875
      Dit loaded = new Dit(DitTest.LATENT, DitTest.CLASSES, Dit.TINY, Dit.LABEL_DROPOUT);
      loaded.loadParameters(
          m, new java.io.DataInputStream(new java.io.ByteArrayInputStream(ema.averageBytes())));
      List<float[]> average = weights(loaded);
      assertEquals(start.size(), average.size());
      for (int i = 0; i < start.size(); i++) {
        float[] expected = start.get(i).clone();
        for (int j = 0; j < expected.length; j++) {
          expected[j] += 0.6875f;
        }
        assertArrayEquals(expected, average.get(i), 1e-5f, "parameter " + i);
      }
      // The live weights are untouched by the average.
      assertEquals(start.get(0)[0] + 2f, weights(dit).get(0)[0], 1e-5f);
    }
  }

  @Test
  void decayZeroKeepsTheLastStepsWeightsAndOneIsRefused() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Dit dit =
          DitTest.perturbed(
              new Dit(DitTest.LATENT, DitTest.CLASSES, Dit.TINY, Dit.LABEL_DROPOUT), m);
      DitEma ema =
          new DitEma(
              dit, new Dit(DitTest.LATENT, DitTest.CLASSES, Dit.TINY, Dit.LABEL_DROPOUT), m, 0);
      dit.getParameters().get(0).getValue().getArray().addi(3f);
      ema.update(5000);
      assertArrayEquals(DitEma.bytes(dit), ema.averageBytes());
      assertThrows(
          IllegalArgumentException.class, () -> DitTrainingConfig.defaults().withEmaDecay(1.0));
    }
  }

  /**
   * The first step's decay is 2 / 11, whatever the configured decay: the initial weights fade at
   * once.
   */
  @Test
  void theFirstStepsWarmTheDecayUp() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Dit dit =
          DitTest.perturbed(
              new Dit(DitTest.LATENT, DitTest.CLASSES, Dit.TINY, Dit.LABEL_DROPOUT), m);
      float w0 = weights(dit).get(0)[0];
      DitEma ema =
          new DitEma(
              dit, new Dit(DitTest.LATENT, DitTest.CLASSES, Dit.TINY, Dit.LABEL_DROPOUT), m, 0.999);
      dit.getParameters().get(0).getValue().getArray().addi(11f);
      ema.update(1);
      Dit loaded = new Dit(DitTest.LATENT, DitTest.CLASSES, Dit.TINY, Dit.LABEL_DROPOUT);
      loaded.loadParameters(
          m, new java.io.DataInputStream(new java.io.ByteArrayInputStream(ema.averageBytes())));
      // (2/11) w0 + (9/11) (w0 + 11) = w0 + 9
      assertEquals(w0 + 9f, weights(loaded).get(0)[0], 1e-4f);
    }
  }

  private static List<float[]> weights(Dit dit) {
    List<float[]> out = new ArrayList<>();
    for (Pair<String, Parameter> p : dit.getParameters()) {
      NDArray a = p.getValue().getArray();
      out.add(a.toFloatArray());
    }
    return out;
  }
}
