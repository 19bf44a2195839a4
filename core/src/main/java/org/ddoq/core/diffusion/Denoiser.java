package org.ddoq.core.diffusion;

/**
 * A noise-prediction model as the sampler calls it: {@code eps(x_t, t, y)} for a batch of latents
 * already multiplied by the prior's scale factor, their timesteps in 0..T-1 and their labels (the
 * spec's null label for the unconditional branch). Returns one vector per input, either C*H*W
 * floats (epsilon) or 2*C*H*W (a learned-sigma model's raw output, of which the sampler keeps the
 * first half). {@code PriorSession::denoise} fits.
 */
@FunctionalInterface
public interface Denoiser {
  float[][] eps(float[][] xt, int[] t, int[] y);
}
