package org.ddoq.core.prior;

import static org.ddoq.core.prior.DitLayers.apply;
import static org.ddoq.core.prior.DitLayers.layerNorm;
import static org.ddoq.core.prior.DitLayers.modulate;
import static org.ddoq.core.prior.DitLayers.silu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ddoq.core.prior.DitLayers.Dense;
import org.ddoq.core.prior.DitLayers.LabelEmbedder;
import org.ddoq.core.prior.DitLayers.TimestepEmbedder;

/**
 * The built-in class-conditional diffusion transformer (DiT, Peebles and Xie 2023; the layout of
 * facebookresearch/DiT's models.py): model(x_t, t, y) predicts epsilon or v.
 *
 * <p>Forward input: x_t (N, C, H, W) latents multiplied by the prior's scale factor, t (N)
 * timesteps in 0..T-1, y (N) labels in 0..numClasses (numClasses = null label), and in training
 * optionally a drop mask (N) of 0/1 that replaces labels by the null label (otherwise labels drop
 * with probability {@link #LABEL_DROPOUT}). Forward output (N, C, H, W): the network's prediction,
 * epsilon or v ({@link Config#prediction()}; {@link DitPrediction} turns v into epsilon). Inference
 * never drops labels.
 *
 * <p>When H or W is not a multiple of the patch size (7x7 latents with patch 2) the latent is
 * zero-padded at the bottom and right and the prediction cropped back: the extra tokens carry no
 * data.
 */
public final class Dit extends AbstractBlock {
  /** DiT's class-dropout probability for classifier-free guidance training. */
  public static final float LABEL_DROPOUT = 0.1f;

  /** Architecture keys in prior.json. */
  public static final String ARCH_WIDTH = "ditWidth";

  public static final String ARCH_DEPTH = "ditDepth";
  public static final String ARCH_HEADS = "ditHeads";
  public static final String ARCH_PATCH = "ditPatch";
  private static final byte VERSION = 1;

  // ################################################################################
  //                           Named configurations
  // ################################################################################

  /**
   * Width D (a multiple of 4 for the 2-D position embedding, and of heads), transformer blocks,
   * attention heads, and patch side p (a p x p x C patch becomes one token).
   */
  public record Config(
      String name, int width, int depth, int heads, int patch, DitPrediction prediction) {
    public Config {
      java.util.Objects.requireNonNull(prediction, "prediction");
      if (width < 4
          || width % 4 != 0
          || depth < 1
          || heads < 1
          || width % heads != 0
          || patch < 1) {
        throw new IllegalArgumentException(
            "invalid DiT config "
                + name
                + ": width "
                + width
                + " depth "
                + depth
                + " heads "
                + heads
                + " patch "
                + patch
                + " (width must be a multiple of 4 and of heads)");
      }
    }

    /** The same network trained for another target. */
    public Config withPrediction(DitPrediction value) {
      return new Config(name, width, depth, heads, patch, value);
    }

    /** The keys {@link #fromArchitecture} reads back. */
    public Map<String, Integer> architecture() {
      return Map.of(
          ARCH_WIDTH,
          width,
          ARCH_DEPTH,
          depth,
          ARCH_HEADS,
          heads,
          ARCH_PATCH,
          patch,
          DitPrediction.ARCH_KEY,
          prediction.archValue());
    }

    static Config fromArchitecture(PriorSpec spec, java.nio.file.Path dir) {
      return new Config(
          "custom",
          spec.architecture(dir, ARCH_WIDTH),
          spec.architecture(dir, ARCH_DEPTH),
          spec.architecture(dir, ARCH_HEADS),
          spec.architecture(dir, ARCH_PATCH),
          DitPrediction.of(spec.architecture()));
    }
  }

  /**
   * The default: width 64, 4 blocks, 4 heads, patch 2 (16 tokens on a 4x7x7 latent; 0.33 M
   * parameters). Patch 2 trains about four times faster than patch 1 (49 tokens), so four times the
   * epochs in the same time (docs/benchmarks.md, "Why the prior's defaults").
   */
  public static final Config TINY = new Config("tiny", 64, 4, 4, 2, DitPrediction.V);

  /** Width 128, 6 blocks, 4 heads, patch 2 (1.9 M parameters): about 6x the compute of tiny. */
  public static final Config SMALL = new Config("small", 128, 6, 4, 2, DitPrediction.V);

  /** {@code tiny} or {@code small}. */
  public static Config config(String name) {
    return switch (name) {
      case "tiny" -> TINY;
      case "small" -> SMALL;
      default ->
          throw new IllegalArgumentException(
              "unknown DiT config '" + name + "'; use tiny or small");
    };
  }

  // ################################################################################
  //                                 Core DiT Model
  // ################################################################################

  /**
   * A transformer block with adaptive layer norm zero (adaLN-Zero) conditioning: inputs x (N, L, D)
   * and the conditioning c (N, D); output (N, L, D). The modulation's weights start at zero, so
   * every block starts as the identity.
   */
  static final class Block extends AbstractBlock {
    private final int heads;
    private final Dense qkv;
    private final Dense proj;
    private final Dense fc1;
    private final Dense fc2;
    private final Dense adaLn;

    Block(int width, int heads) {
      this.heads = heads;
      qkv = addChildBlock("qkv", new Dense(3 * width, DitLayers.xavier()));
      proj = addChildBlock("proj", new Dense(width, DitLayers.xavier()));
      fc1 = addChildBlock("fc1", new Dense(4 * width, DitLayers.xavier()));
      fc2 = addChildBlock("fc2", new Dense(width, DitLayers.xavier()));
      adaLn = addChildBlock("adaLN", new Dense(6 * width, Initializer.ZEROS));
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.get(0);
      NDList m = apply(adaLn, store, silu(inputs.get(1)), training).split(6, 1);
      NDArray h = attention(store, modulate(layerNorm(x), m.get(0), m.get(1)), training);
      x = x.add(m.get(2).expandDims(1).mul(h));
      h =
          apply(
              fc2,
              store,
              Activation.gelu(
                  apply(fc1, store, modulate(layerNorm(x), m.get(3), m.get(4)), training)),
              training);
      return new NDList(x.add(m.get(5).expandDims(1).mul(h)));
    }

    /** Multi-head self-attention over the L tokens. */
    private NDArray attention(ParameterStore store, NDArray x, boolean training) {
      Shape s = x.getShape();
      long n = s.get(0);
      long l = s.get(1);
      long d = s.get(2) / heads;
      NDList qkvs =
          apply(qkv, store, x, training)
              .reshape(n, l, 3, heads, d)
              .transpose(2, 0, 3, 1, 4)
              .split(3, 0);
      NDArray q = qkvs.get(0).squeeze(0);
      NDArray k = qkvs.get(1).squeeze(0);
      NDArray v = qkvs.get(2).squeeze(0);
      NDArray weights =
          q.matMul(k.transpose(0, 1, 3, 2)).mul((float) (1 / Math.sqrt(d))).softmax(-1);
      return apply(
          proj, store, weights.matMul(v).transpose(0, 2, 1, 3).reshape(n, l, heads * d), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(
        NDManager manager, DataType dataType, Shape... inputShapes) {
      Shape x = inputShapes[0];
      qkv.initialize(manager, dataType, x);
      proj.initialize(manager, dataType, x);
      fc1.initialize(manager, dataType, x);
      fc2.initialize(manager, dataType, fc1.getOutputShapes(new Shape[] {x}));
      adaLn.initialize(manager, dataType, inputShapes[1]);
    }
  }

  /**
   * adaLN then a zero-initialised linear map: x (N, L, D), c (N, D) -> (N, L, patch * patch * C).
   */
  static final class FinalLayer extends AbstractBlock {
    private final Dense adaLn;
    private final Dense linear;

    FinalLayer(int width, int outputs) {
      adaLn = addChildBlock("adaLN", new Dense(2 * width, Initializer.ZEROS));
      linear = addChildBlock("linear", new Dense(outputs, Initializer.ZEROS));
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      NDList m = apply(adaLn, store, silu(inputs.get(1)), training).split(2, 1);
      return new NDList(
          apply(linear, store, modulate(layerNorm(inputs.get(0)), m.get(0), m.get(1)), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return linear.getOutputShapes(new Shape[] {inputShapes[0]});
    }

    @Override
    protected void initializeChildBlocks(
        NDManager manager, DataType dataType, Shape... inputShapes) {
      adaLn.initialize(manager, dataType, inputShapes[1]);
      linear.initialize(manager, dataType, inputShapes[0]);
    }
  }

  private final LatentShape latent;
  private final Config config;
  private final int gridH;
  private final int gridW;
  private final float[] positions;
  private final Dense patchEmbed;
  private final TimestepEmbedder tEmbedder;
  private final LabelEmbedder yEmbedder;
  private final List<Block> blocks = new ArrayList<>();
  private final FinalLayer finalLayer;

  /**
   * @param latent the latent shape C x H x W the model denoises
   * @param numClasses class labels 0..numClasses-1 (numClasses is the null label)
   * @param config width, depth, heads, patch
   * @param labelDropout probability that a training label becomes the null label ({@link
   *     #LABEL_DROPOUT})
   */
  public Dit(LatentShape latent, int numClasses, Config config, float labelDropout) {
    super(VERSION);
    this.latent = latent;
    this.config = config;
    int p = config.patch();
    gridH = (latent.height() + p - 1) / p;
    gridW = (latent.width() + p - 1) / p;
    positions = DitPositions.sinCos2d(config.width(), gridH, gridW);
    patchEmbed = addChildBlock("patchEmbed", new Dense(config.width(), DitLayers.xavier()));
    tEmbedder = addChildBlock("tEmbedder", new TimestepEmbedder(config.width()));
    yEmbedder =
        addChildBlock("yEmbedder", new LabelEmbedder(numClasses, config.width(), labelDropout));
    for (int i = 0; i < config.depth(); i++) {
      blocks.add(addChildBlock("block" + i, new Block(config.width(), config.heads())));
    }
    finalLayer =
        addChildBlock("finalLayer", new FinalLayer(config.width(), p * p * latent.channels()));
  }

  public Config config() {
    return config;
  }

  /** Tokens per latent. */
  public int tokens() {
    return gridH * gridW;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDManager manager = x.getManager();
    NDArray tokens =
        apply(patchEmbed, store, patchify(x), training)
            .add(manager.create(positions, new Shape(1, tokens(), config.width())));
    NDList labels =
        inputs.size() > 3 ? new NDList(inputs.get(2), inputs.get(3)) : new NDList(inputs.get(2));
    NDArray c =
        apply(tEmbedder, store, inputs.get(1), training)
            .add(yEmbedder.forward(store, labels, training).head());
    for (Block block : blocks) {
      tokens = block.forward(store, new NDList(tokens, c), training).head();
    }
    return new NDList(
        unpatchify(finalLayer.forward(store, new NDList(tokens, c), training).head()));
  }

  /**
   * (N, C, H, W) -> (N, L, C * p * p), a patch's values in (channel, row, column) order, as DiT's
   * conv.
   */
  private NDArray patchify(NDArray x) {
    int p = config.patch();
    long n = x.getShape().get(0);
    int c = latent.channels();
    if (gridH * p != latent.height() || gridW * p != latent.width()) {
      x = x.pad(new Shape(0, gridW * p - latent.width(), 0, gridH * p - latent.height()), 0);
    }
    return x.reshape(n, c, gridH, p, gridW, p)
        .transpose(0, 2, 4, 1, 3, 5)
        .reshape(n, tokens(), (long) c * p * p);
  }

  /**
   * (N, L, p * p * C) -> (N, C, H, W), DiT's unpatchify (patch values in (row, column, channel)
   * order).
   */
  private NDArray unpatchify(NDArray x) {
    int p = config.patch();
    long n = x.getShape().get(0);
    int c = latent.channels();
    NDArray image =
        x.reshape(n, gridH, gridW, p, p, c)
            .transpose(0, 5, 1, 3, 2, 4)
            .reshape(n, c, (long) gridH * p, (long) gridW * p);
    if (gridH * p != latent.height() || gridW * p != latent.width()) {
      image = image.get("..., :{}, :{}", latent.height(), latent.width());
    }
    return image;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long n = inputShapes[0].get(0);
    int p = config.patch();
    Shape tokenShape = new Shape(n, tokens(), config.width());
    Shape condition = new Shape(n, config.width());
    patchEmbed.initialize(
        manager, dataType, new Shape(n, tokens(), (long) latent.channels() * p * p));
    tEmbedder.initialize(manager, dataType, new Shape(n));
    yEmbedder.initialize(manager, dataType, new Shape(n));
    for (Block block : blocks) {
      block.initialize(manager, dataType, tokenShape, condition);
    }
    finalLayer.initialize(manager, dataType, tokenShape, condition);
  }

  /**
   * Initialises a model for {@code latent} inputs (batch 1 shapes; any batch size works
   * afterwards).
   */
  public void initialize(NDManager manager) {
    initialize(
        manager,
        DataType.FLOAT32,
        new Shape(1, latent.channels(), latent.height(), latent.width()),
        new Shape(1),
        new Shape(1));
  }
}
