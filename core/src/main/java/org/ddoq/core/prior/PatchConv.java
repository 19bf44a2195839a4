package org.ddoq.core.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.initializer.XavierInitializer.FactorType;
import ai.djl.training.initializer.XavierInitializer.RandomType;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A 2-D convolution (square kernel k, stride s, zero padding k/2) computed as patches x matrix: (N,
 * Cin, H, W) to (N, Cout, ceil(H/s), ceil(W/s)). Weight (Cout, Cin*k*k), bias (Cout).
 *
 * <p>Why not DJL's Conv2d: on these machines (virtualised AMD EPYC with AVX-512) PyTorch's oneDNN
 * AVX-512 convolution kernels returned NaN and run-to-run different outputs for identical inputs
 * and weights (measured: 4 of 5 runs; none with ONEDNN_MAX_CPU_ISA=AVX2, which a library cannot
 * set). The prior must encode bit-identically, so its convolutions go through the BLAS matrix
 * product instead.
 */
final class PatchConv extends AbstractBlock {
  private static final byte VERSION = 1;

  private final int filters;
  private final int kernel;
  private final int stride;
  private final Parameter weight;
  private final Parameter bias;

  PatchConv(int filters, int kernel, int stride) {
    super(VERSION);
    this.filters = filters;
    this.kernel = kernel;
    this.stride = stride;
    // He initialisation (Gaussian, fan-in, magnitude 2) suits the ReLUs that follow.
    weight =
        addParameter(
            Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(new XavierInitializer(RandomType.GAUSSIAN, FactorType.IN, 2))
                .build());
    bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS).build());
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    long in = inputShapes[0].get(1);
    weight.setShape(new Shape(filters, in * kernel * kernel));
    bias.setShape(new Shape(filters));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray w = store.getValue(weight, x.getDevice(), training);
    NDArray b = store.getValue(bias, x.getDevice(), training);
    Shape out = getOutputShapes(new Shape[] {x.getShape()})[0];
    long n = out.get(0);
    long ho = out.get(2);
    long wo = out.get(3);
    long in = x.getShape().get(1);
    NDArray columns;
    if (kernel == 1 && stride == 1) {
      columns = x.transpose(0, 2, 3, 1).reshape(n * ho * wo, in);
    } else {
      int pad = kernel / 2;
      NDArray padded = x.pad(new Shape(pad, pad, pad, pad), 0);
      List<NDArray> taps = new ArrayList<>(kernel * kernel);
      for (int dy = 0; dy < kernel; dy++) {
        for (int dx = 0; dx < kernel; dx++) {
          taps.add(
              padded.get(
                  new NDIndex(
                      ":, :, {}:{}:{}, {}:{}:{}",
                      dy,
                      dy + stride * (ho - 1) + 1,
                      stride,
                      dx,
                      dx + stride * (wo - 1) + 1,
                      stride)));
        }
      }
      // (N, Ho, Wo, Cin, k*k) rows: column index = cin * k*k + tap, the weight's (Cin, ky, kx)
      // order.
      columns =
          NDArrays.stack(new NDList(taps), 4)
              .transpose(0, 2, 3, 1, 4)
              .reshape(n * ho * wo, in * kernel * kernel);
    }
    // One large 2-D matrix product (N*Ho*Wo, K) x (K, Cout): the BLAS's best case.
    NDArray y = columns.matMul(w.transpose()).add(b);
    return new NDList(y.reshape(n, ho, wo, filters).transpose(0, 3, 1, 2));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {
      new Shape(
          s.get(0), filters, (s.get(2) + stride - 1) / stride, (s.get(3) + stride - 1) / stride)
    };
  }
}
