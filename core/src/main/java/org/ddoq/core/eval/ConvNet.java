package org.ddoq.core.eval;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import org.ddoq.core.prior.PatchConv;

/**
 * The student of the dataset-distillation literature (DC, DSA, DM, KIP): ConvNet-3 =
 * {@code depth} x [conv 3x3 (width filters, bias), instance norm, ReLU, average pool 2x2], then a linear
 * head on the flattened features. 28x28 input ends at 128 x 3 x 3, 32x32 at 128 x 4 x 4, as in DC's code.
 *
 * <p>The convolutions are {@link PatchConv} (patches x matrix) rather than DJL's Conv2d, for the reason
 * given there: oneDNN's AVX-512 convolutions returned NaN on these CPUs, and an evaluation must not
 * depend on an environment variable being set on every executor.
 */
public final class ConvNet {
  /** The protocol's width and depth. */
  public static final int WIDTH = 128;
  public static final int DEPTH = 3;

  private ConvNet() {}

  /** An uninitialised ConvNet; initialise with input shape (N, C, H, W). */
  public static SequentialBlock build(int numClasses, int width, int depth) {
    if (numClasses < 2 || width < 1 || depth < 1) {
      throw new IllegalArgumentException("need >= 2 classes, width >= 1 and depth >= 1, got " + numClasses
          + ", " + width + ", " + depth);
    }
    SequentialBlock net = new SequentialBlock();
    for (int i = 0; i < depth; i++) {
      net.add(new PatchConv(width, 3, 1))
          .add(new InstanceNorm())
          .add(Activation.reluBlock())
          .add(Pool.avgPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
    }
    return net.add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(numClasses).build());
  }
}
