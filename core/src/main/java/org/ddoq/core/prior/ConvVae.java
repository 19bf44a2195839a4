package org.ddoq.core.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.ddoq.core.data.ImageShape;

/**
 * The built-in prior's small convolutional VAE: an image C x H x W (values in [0,1]) maps to a
 * latent {@value #LATENT_CHANNELS} x H/4 x W/4 (4x7x7 for 28x28, 4x8x8 for 32x32) and back.
 *
 * <p>Forward input: one array (N, C, H, W). Forward output: (reconstruction (N, C, H, W) in [0,1],
 * posterior mean (N, 4, H/4, W/4), posterior log-variance (same shape)). In training the decoder
 * sees a reparameterised sample mean + exp(logvar / 2) * eps; otherwise it sees the mean, so
 * inference is deterministic. {@link #encoder()} outputs mean and log-variance stacked on the
 * channel axis (N, 8, H/4, W/4); {@link #decoder()} maps a latent to the reconstruction.
 *
 * <p>Sizing: CPU training throughput is the constraint (a 32/64-channel VAE trains ten times
 * slower; docs/benchmarks.md), so both stride-2 downsamplings come first, before any wide layer,
 * and widths stay small. A 4x7x7 latent holds 196 numbers for 784 pixels, so the encoder need not
 * be deep to reconstruct.
 */
public final class ConvVae extends AbstractBlock {

  /** Latent channels, as in Stable Diffusion's VAE. */
  public static final int LATENT_CHANNELS = 4;

  /** Spatial downsampling factor from image to latent. */
  public static final int DOWNSAMPLE = 4;

  private static final byte VERSION = 1;

  private final SequentialBlock encoder;
  private final SequentialBlock decoder;

  /**
   * @param imageChannels 1 (grey) or 3 (RGB)
   * @param width channels of the widest layer (the H/4 level); the H/2 level has half of it
   */
  public ConvVae(int imageChannels, int width) {
    super(VERSION);
    int half = width / 2;
    encoder =
        addChildBlock(
            "encoder",
            new SequentialBlock()
                .add(conv(half, 3, 2))
                .add(Activation.reluBlock()) // H/2
                .add(conv(width, 3, 2))
                .add(Activation.reluBlock()) // H/4
                .add(conv(width, 3, 1))
                .add(Activation.reluBlock())
                .add(conv(2 * LATENT_CHANNELS, 1, 1))); // mean ++ logvar
    decoder =
        addChildBlock(
            "decoder",
            new SequentialBlock()
                .add(conv(width, 3, 1))
                .add(Activation.reluBlock()) // H/4
                .add(conv(width, 3, 1))
                .add(Activation.reluBlock())
                .add(upsample(half))
                .add(Activation.reluBlock()) // H/2
                .add(upsample(half))
                .add(Activation.reluBlock()) // H
                .add(conv(imageChannels, 3, 1))
                .add(Activation.sigmoidBlock()));
  }

  /** Latent shape for an image shape; both sides must be divisible by {@value #DOWNSAMPLE}. */
  public static LatentShape latentShapeFor(ImageShape image) {
    if (image.height() % DOWNSAMPLE != 0 || image.width() % DOWNSAMPLE != 0) {
      throw new IllegalArgumentException(
          "the built-in VAE needs image sides divisible by "
              + DOWNSAMPLE
              + ", got "
              + image
              + "; resize the images (e.g. 28x28 or 32x32)");
    }
    return new LatentShape(
        LATENT_CHANNELS, image.height() / DOWNSAMPLE, image.width() / DOWNSAMPLE);
  }

  /** Image (N, C, H, W) to mean and log-variance stacked on axis 1: (N, 8, H/4, W/4). */
  public SequentialBlock encoder() {
    return encoder;
  }

  /** Latent (N, 4, H/4, W/4) to image (N, C, H, W) in [0,1]. */
  public SequentialBlock decoder() {
    return decoder;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList stats = encoder.forward(store, inputs, training, params).singletonOrThrow().split(2, 1);
    NDArray mean = stats.get(0);
    // Clipping keeps exp() finite in the first steps, when the encoder's outputs are still random.
    NDArray logVar = stats.get(1).clip(-20f, 10f);
    NDArray z = mean;
    if (training) {
      NDArray eps = mean.getManager().randomNormal(mean.getShape(), DataType.FLOAT32);
      z = mean.add(logVar.mul(0.5f).exp().mul(eps));
    }
    NDArray recon = decoder.forward(store, new NDList(z), training, params).singletonOrThrow();
    return new NDList(recon, mean, logVar);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape image = inputShapes[0];
    Shape latent =
        new Shape(
            image.get(0), LATENT_CHANNELS, image.get(2) / DOWNSAMPLE, image.get(3) / DOWNSAMPLE);
    return new Shape[] {image, latent, latent};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape image = inputShapes[0];
    encoder.initialize(manager, dataType, image);
    decoder.initialize(manager, dataType, getOutputShapes(inputShapes)[1]);
  }

  private static PatchConv conv(int filters, int kernel, int stride) {
    return new PatchConv(filters, kernel, stride);
  }

  /**
   * 2x upsampling as a sub-pixel convolution: a 3x3 conv makes 4 * filters channels at the low
   * resolution, then {@link PixelShuffle} moves each group of 4 into a 2x2 patch. DJL's PyTorch
   * engine does not implement transposed convolution, and this is the same learnable map without
   * its checkerboard artefacts.
   */
  private static SequentialBlock upsample(int filters) {
    return new SequentialBlock().add(conv(4 * filters, 3, 1)).add(new PixelShuffle());
  }

  /**
   * (N, 4C, h, w) to (N, C, 2h, 2w): channel group (C, dy, dx) becomes pixel (2y + dy, 2x + dx).
   */
  private static final class PixelShuffle extends AbstractBlock {
    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      Shape s = x.getShape();
      long n = s.get(0);
      long c = s.get(1) / 4;
      long h = s.get(2);
      long w = s.get(3);
      return new NDList(
          x.reshape(n, c, 2, 2, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(n, c, 2 * h, 2 * w));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      Shape s = inputShapes[0];
      return new Shape[] {new Shape(s.get(0), s.get(1) / 4, 2 * s.get(2), 2 * s.get(3))};
    }
  }
}
