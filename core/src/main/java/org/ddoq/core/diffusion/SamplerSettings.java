package org.ddoq.core.diffusion;

/**
 * How centroids are decoded through the diffusion model.
 *
 * @param strength how far into the diffusion the centroid is pushed before denoising, 0..1: the
 *     start step is round(strength * T) - 1; 0 means no diffusion at all (the latent is returned as
 *     is)
 * @param steps DDIM steps of a full-strength run (diffusers' img2img convention): a run at strength
 *     s takes max(1, round(steps * s)) steps
 * @param guidance classifier-free guidance scale g >= 0: eps = eps_u + g (eps_c - eps_u); exactly 1
 *     means conditional only (no unconditional batch)
 * @param eta DDIM stochasticity, 0 (deterministic) .. 1 (DDPM-like variance)
 */
public record SamplerSettings(double strength, int steps, double guidance, double eta)
    implements java.io.Serializable {

  public SamplerSettings {
    // The negated comparisons also reject NaN.
    if (!(strength >= 0 && strength <= 1)) {
      throw new IllegalArgumentException("strength must be in [0, 1], got " + strength);
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    if (!(guidance >= 0) || Double.isInfinite(guidance)) {
      throw new IllegalArgumentException("guidance must be a finite number >= 0, got " + guidance);
    }
    if (!(eta >= 0 && eta <= 1)) {
      throw new IllegalArgumentException("eta must be in [0, 1], got " + eta);
    }
  }
}
