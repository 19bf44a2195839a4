package org.ddoq.core.prior;

/**
 * One task thread's handle on a loaded prior: the three calls every prior offers to the stages. Not
 * thread-safe; open one per task (partition) and close it at the end of the partition. The model
 * weights behind it are shared, loaded once per executor JVM (see {@link PriorModels}).
 *
 * <p>Shapes: an image is {@code spec().imageShape().size()} unsigned bytes in CHW order; a latent
 * is {@code spec().latentSize()} floats in CHW order (latent channels x latent height x latent
 * width), unscaled (the VAE's own units; {@link PriorSpec#scaleFactor()} is what a diffusion model
 * multiplies by).
 */
public interface PriorSession extends AutoCloseable {

  PriorSpec spec();

  /** Posterior means of a batch of images: deterministic. */
  float[][] encode(byte[][] images);

  /** Decodes a batch of latents to images (unsigned bytes, CHW, clamped to 0..255). */
  byte[][] decode(float[][] latents);

  /**
   * The diffusion model's noise prediction for a batch: {@code xt} are noisy latents already
   * multiplied by {@link PriorSpec#scaleFactor()} (CHW, {@code spec().latentSize()} each), {@code
   * t} their timesteps in 0..T-1, {@code y} their labels ({@link DiffusionSpec#nullLabel()} for the
   * unconditional branch). Returns epsilon, same shape as {@code xt} (the first C channels when the
   * model learns sigma).
   *
   * @throws IllegalStateException when the prior has no denoiser ({@link PriorSpec#hasDenoiser()})
   */
  float[][] denoise(float[][] xt, int[] t, int[] y);

  @Override
  void close();
}
