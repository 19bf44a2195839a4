package org.ddoq.core.diffusion;

import org.ddoq.core.prior.DiffusionSpec;

/**
 * DiT's Gaussian diffusion schedule ({@link DiffusionSpec#alphaBars()}), in float64 as DiT computes
 * it.
 *
 * <pre>
 *   beta_i     = betaStart + i * (betaEnd - betaStart) / (T - 1),  i = 0..T-1   (numpy.linspace; beta_{T-1} = betaEnd)
 *   abar_t     = prod_{i=0..t} (1 - beta_i),                        abar_{-1} = 1
 *   q_sample:  x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps
 * </pre>
 */
public final class GaussianDiffusion {
  private final DiffusionSpec spec;
  private final double[] alphaBar;

  public GaussianDiffusion(DiffusionSpec spec) {
    this.spec = spec;
    alphaBar = spec.alphaBars();
  }

  public DiffusionSpec spec() {
    return spec;
  }

  public int timesteps() {
    return alphaBar.length;
  }

  /**
   * abar_t for t in -1..T-1 (abar_{-1} = 1: the clean end of the chain, the last DDIM step's
   * target).
   */
  public double alphaBar(int t) {
    if (t < -1 || t >= alphaBar.length) {
      throw new IllegalArgumentException("timestep " + t + " outside -1.." + (alphaBar.length - 1));
    }
    return t < 0 ? 1.0 : alphaBar[t];
  }

  /** x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise, computed in double, rounded once to float. */
  public float[] qSample(float[] x0, int t, float[] noise) {
    if (x0.length != noise.length) {
      throw new IllegalArgumentException("x0 has " + x0.length + " values, noise " + noise.length);
    }
    double a = Math.sqrt(alphaBar(t));
    double b = Math.sqrt(1 - alphaBar(t));
    float[] out = new float[x0.length];
    for (int j = 0; j < out.length; j++) {
      out[j] = (float) (a * x0[j] + b * noise[j]);
    }
    return out;
  }
}
