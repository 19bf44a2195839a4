package org.ddoq.core.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * Instance normalisation with a learned per-channel scale and shift: each image's channel is
 * normalised over its own H x W pixels. The dataset-distillation ConvNet uses exactly this ({@code
 * nn.GroupNorm(C, C, affine=True)} in the DC/DSA code), because batch statistics of a 10-image
 * synthetic batch are meaningless. DJL has no instance norm, hence this block.
 */
final class InstanceNorm extends AbstractBlock {
  private static final byte VERSION = 1;
  private static final float EPSILON = 1e-5f;

  private final Parameter gamma;
  private final Parameter beta;

  InstanceNorm() {
    super(VERSION);
    gamma =
        addParameter(
            Parameter.builder()
                .setName("gamma")
                .setType(Parameter.Type.GAMMA)
                .optInitializer(Initializer.ONES)
                .build());
    beta =
        addParameter(
            Parameter.builder()
                .setName("beta")
                .setType(Parameter.Type.BETA)
                .optInitializer(Initializer.ZEROS)
                .build());
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    long channels = inputShapes[0].get(1);
    gamma.setShape(new Shape(channels));
    beta.setShape(new Shape(channels));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Shape shape = x.getShape();
    long channels = shape.get(1);
    NDArray g = store.getValue(gamma, x.getDevice(), training).reshape(1, channels, 1, 1);
    NDArray b = store.getValue(beta, x.getDevice(), training).reshape(1, channels, 1, 1);
    return new NDList(normalise(x).mul(g).add(b));
  }

  /**
   * Each (image, channel) plane to mean 0 and variance 1 over its H x W pixels (biased variance, as
   * PyTorch's GroupNorm). PyTorch's layer norm over the last two axes is exactly that, in one fused
   * kernel for the forward and one for the backward pass: the mean/variance/divide chain it
   * replaces cost ten separate kernels each way over the network's largest activations (measured in
   * docs/benchmarks.md).
   */
  static NDArray normalise(NDArray x) {
    Shape plane = new Shape(x.getShape().get(2), x.getShape().get(3));
    NDManager m = x.getManager();
    return LayerNorm.layerNorm(
            x,
            plane,
            m.ones(plane, x.getDataType(), x.getDevice()),
            m.zeros(plane, x.getDataType(), x.getDevice()),
            EPSILON)
        .singletonOrThrow();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
