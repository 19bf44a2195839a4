package org.ddoq.core.prior;

/**
 * One task thread's handle on a loaded prior: the three calls every prior offers to the stages.
 * Not thread-safe; open one per task (partition) and close it at the end of the partition.
 * The model weights behind it are shared, loaded once per executor JVM (see {@link PriorModels}).
 *
 * <p>Shapes: an image is {@code spec().imageShape().size()} unsigned bytes in CHW order; a latent is
 * {@code spec().latentSize()} floats in CHW order (latent channels x latent height x latent width),
 * unscaled (the VAE's own units; {@link PriorSpec#scaleFactor()} is what a diffusion model multiplies by).
 */
public interface PriorSession extends AutoCloseable {

  PriorSpec spec();

  /** Posterior means of a batch of images: deterministic. */
  float[][] encode(byte[][] images);

  /** Decodes a batch of latents to images (unsigned bytes, CHW, clamped to 0..255). */
  byte[][] decode(float[][] latents);

  @Override
  void close();
}
