package org.ddoq.core.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;

/**
 * The layers of {@link Dit}, after facebookresearch/DiT's models.py: a linear map, the timestep and
 * label embedders, the adaLN-Zero transformer block and the final layer. Shapes: N images, L
 * tokens, D width.
 */
final class DitLayers {
  /** DiT's timestep frequency embedding size (the MLP maps it to D). */
  static final int FREQUENCY_SIZE = 256;

  private DitLayers() {}

  // ################################################################################
  //                 Linear map, initialisers and the adaLN modulation
  // ################################################################################

  /** xavier_uniform, DiT's default for every linear layer (DJL: magnitude 3 over the mean fan). */
  static Initializer xavier() {
    return new XavierInitializer(
        XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.AVG, 3);
  }

  /** y = x W^T + b on the last axis: (..., in) -> (..., out). Weight (out, in), bias (out). */
  static final class Dense extends AbstractBlock {
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    Dense(int out, Initializer weightInit) {
      this.out = out;
      weight =
          addParameter(
              Parameter.builder()
                  .setName("weight")
                  .setType(Parameter.Type.WEIGHT)
                  .optInitializer(weightInit)
                  .build());
      // DiT zeroes every linear bias at initialisation.
      bias =
          addParameter(
              Parameter.builder()
                  .setName("bias")
                  .setType(Parameter.Type.BIAS)
                  .optInitializer(Initializer.ZEROS)
                  .build());
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
      Shape s = inputShapes[0];
      weight.setShape(new Shape(out, s.get(s.dimension() - 1)));
      bias.setShape(new Shape(out));
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.head();
      NDArray w = store.getValue(weight, x.getDevice(), training);
      NDArray b = store.getValue(bias, x.getDevice(), training);
      return new NDList(x.matMul(w.transpose()).add(b));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      Shape s = inputShapes[0];
      return new Shape[] {s.slice(0, s.dimension() - 1).add(out)};
    }
  }

  static NDArray silu(NDArray x) {
    return Activation.swish(x, 1f);
  }

  /** LayerNorm over the last axis without a learned affine map (adaLN supplies shift and scale). */
  static NDArray layerNorm(NDArray x) {
    NDArray centred = x.sub(x.mean(new int[] {-1}, true));
    return centred.div(centred.square().mean(new int[] {-1}, true).add(1e-6f).sqrt());
  }

  /** x (N, L, D) * (1 + scale) + shift, with shift and scale (N, D) broadcast over the tokens. */
  static NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
    return x.mul(scale.expandDims(1).add(1f)).add(shift.expandDims(1));
  }

  /** One array through a layer. */
  static NDArray apply(AbstractBlock layer, ParameterStore store, NDArray x, boolean training) {
    return layer.forward(store, new NDList(x), training).head();
  }

  // ################################################################################
  //               Embedding layers for timesteps and class labels
  // ################################################################################

  /**
   * Timesteps t (N) -> (N, D): sinusoidal frequencies (cos ++ sin, 256 values) through
   * Linear-SiLU-Linear.
   */
  static final class TimestepEmbedder extends AbstractBlock {
    private final Dense first;
    private final Dense second;

    TimestepEmbedder(int width) {
      first = addChildBlock("mlp0", new Dense(width, new NormalInitializer(0.02f)));
      second = addChildBlock("mlp2", new Dense(width, new NormalInitializer(0.02f)));
    }

    /**
     * t (N) -> (N, 256): cos(t f_i) ++ sin(t f_i), f_i = 10000^(-i/128), as DiT's
     * timestep_embedding.
     */
    static NDArray frequencies(NDArray t) {
      int half = FREQUENCY_SIZE / 2;
      float[] f = new float[half];
      for (int i = 0; i < half; i++) {
        f[i] = (float) Math.exp(-Math.log(10_000) * i / half);
      }
      NDArray args =
          t.toType(DataType.FLOAT32, false)
              .expandDims(1)
              .mul(t.getManager().create(f).expandDims(0));
      return args.cos().concat(args.sin(), 1);
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray h = apply(first, store, frequencies(inputs.head()), training);
      return new NDList(apply(second, store, silu(h), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return second.getOutputShapes(new Shape[] {new Shape(inputShapes[0].get(0), 1)});
    }

    @Override
    protected void initializeChildBlocks(
        NDManager manager, DataType dataType, Shape... inputShapes) {
      long n = inputShapes[0].get(0);
      first.initialize(manager, dataType, new Shape(n, FREQUENCY_SIZE));
      second.initialize(
          manager, dataType, first.getOutputShapes(new Shape[] {new Shape(n, FREQUENCY_SIZE)}));
    }
  }

  /**
   * Labels y (N) -> (N, D) from a learned table with numClasses + 1 rows; the last row is the null
   * label (classifier-free guidance's unconditional branch). In training each label becomes the
   * null label with probability {@code dropProbability}, or exactly where an optional drop mask (N,
   * 1 = drop) says so (DiT's force_drop_ids), which lets a seeded trainer decide the drops itself.
   */
  static final class LabelEmbedder extends AbstractBlock {
    private final int numClasses;
    private final int width;
    private final float dropProbability;
    private final Parameter table;

    LabelEmbedder(int numClasses, int width, float dropProbability) {
      this.numClasses = numClasses;
      this.width = width;
      this.dropProbability = dropProbability;
      table =
          addParameter(
              Parameter.builder()
                  .setName("table")
                  .setType(Parameter.Type.WEIGHT)
                  .optInitializer(new NormalInitializer(0.02f))
                  .optShape(new Shape(numClasses + 1, width))
                  .build());
    }

    /**
     * DiT's token_drop: labels where {@code drop} is 0, the null label (numClasses) where it is 1.
     */
    static NDArray tokenDrop(NDArray labels, NDArray drop, int numClasses) {
      NDArray y = labels.toType(DataType.INT64, false);
      return y.mul(drop.eq(0).toType(DataType.INT64, false))
          .add(drop.eq(1).toType(DataType.INT64, false).mul(numClasses));
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray y = inputs.get(0);
      if (training && inputs.size() > 1) {
        y = tokenDrop(y, inputs.get(1), numClasses);
      } else if (training && dropProbability > 0) {
        NDArray u = y.getManager().randomUniform(0, 1, y.getShape());
        y = tokenDrop(y, u.lt(dropProbability).toType(DataType.INT64, false), numClasses);
      }
      NDArray rows = store.getValue(table, y.getDevice(), training);
      // One-hot x table is an embedding lookup whose gradient needs no sparse update.
      return new NDList(y.toType(DataType.INT64, false).oneHot(numClasses + 1).matMul(rows));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return new Shape[] {new Shape(inputShapes[0].get(0), width)};
    }
  }
}
