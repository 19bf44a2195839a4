package org.ddoq.core.eval;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;

/**
 * The student of the dataset-distillation literature (DC, DSA, DM, KIP): ConvNet-3 = {@code depth}
 * x [conv 3x3 (width filters, bias), instance norm, ReLU, average pool 2x2], then a linear head on
 * the flattened features. 28x28 input ends at 128 x 3 x 3, 32x32 at 128 x 4 x 4, as in DC's code.
 *
 * <p>The convolutions are DJL's Conv2d (oneDNN): about twice as fast as the prior's patches x
 * matrix convolution (docs/benchmarks.md). oneDNN's AVX-512 kernels returned NaN on these AMD EPYC
 * machines, so every launcher sets {@code ONEDNN_MAX_CPU_ISA=AVX2}; a student that still meets a
 * non-finite loss says so ({@link StudentTraining}). The prior cannot take that risk (its encodings
 * must be bit-identical), a student's accuracy can.
 */
public final class ConvNet {
  /** The protocol's width and depth. */
  public static final int WIDTH = 128;

  public static final int DEPTH = 3;

  private ConvNet() {}

  /** An uninitialised ConvNet; initialise with input shape (N, C, H, W). */
  public static SequentialBlock build(int numClasses, int width, int depth) {
    if (numClasses < 2 || width < 1 || depth < 1) {
      throw new IllegalArgumentException(
          "need >= 2 classes, width >= 1 and depth >= 1, got "
              + numClasses
              + ", "
              + width
              + ", "
              + depth);
    }
    SequentialBlock net = new SequentialBlock();
    for (int i = 0; i < depth; i++) {
      net.add(
              Conv2d.builder()
                  .setFilters(width)
                  .setKernelShape(new Shape(3, 3))
                  .optPadding(new Shape(1, 1))
                  .build())
          .add(new InstanceNorm())
          .add(Activation.reluBlock())
          .add(Pool.avgPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
    }
    return net.add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(numClasses).build());
  }
}
