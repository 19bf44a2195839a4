package org.ddoq.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** The fused instance norm equals the textbook formula, values and gradients. */
class InstanceNormTest {

  /**
   * (x - mean) / sqrt(var + eps) per (image, channel) over H x W, biased variance: GroupNorm(C,
   * C)'s.
   */
  static NDArray textbook(NDArray x) {
    Shape s = x.getShape();
    NDArray flat = x.reshape(s.get(0), s.get(1), -1);
    NDArray centred = flat.sub(flat.mean(new int[] {2}, true));
    NDArray variance = centred.square().mean(new int[] {2}, true);
    return centred.div(variance.add(1e-5f).sqrt()).reshape(s);
  }

  @Test
  void normalisesEachImagesChannelOverItsPixelsWithTheTextbookGradient() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Engine.getInstance().setRandomSeed(3);
      // Channels with different means and spreads, as after a convolution.
      NDArray x =
          m.randomNormal(new Shape(3, 5, 7, 6))
              .mul(m.arange(1f, 6f).reshape(1, 5, 1, 1))
              .add(m.arange(-2f, 3f).reshape(1, 5, 1, 1));
      NDArray weights = m.randomNormal(x.getShape());
      float[][] values = new float[2][];
      float[][] gradients = new float[2][];
      for (int variant = 0; variant < 2; variant++) {
        NDArray input = x.duplicate();
        input.setRequiresGradient(true);
        try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
          NDArray y = variant == 0 ? InstanceNorm.normalise(input) : textbook(input);
          values[variant] = y.toFloatArray();
          c.backward(y.mul(weights).sum());
        }
        gradients[variant] = input.getGradient().toFloatArray();
      }
      assertArrayEquals(values[1], values[0], 1e-4f);
      assertArrayEquals(gradients[1], gradients[0], 1e-4f);
    }
  }
}
