package org.ddoq.core.prior;

import java.io.Serializable;

/**
 * The diffusion model a prior carries (DiT conventions, PAPER.md): Gaussian diffusion with {@code
 * timesteps} steps and a linear beta schedule from {@code betaStart} to {@code betaEnd}; the model
 * is called as model(x_t, t, y) on latents multiplied by the prior's scale factor and predicts
 * epsilon. With {@code learnedSigma} its output has 2C channels, of which the first C are epsilon.
 * The null label for classifier-free guidance is {@code numClasses}.
 *
 * @param timesteps T (1000 in DiT)
 * @param betaStart first beta (1e-4 in DiT)
 * @param betaEnd last beta (0.02 in DiT)
 * @param numClasses class labels 0..numClasses-1; numClasses is the null label
 * @param learnedSigma whether the model's output has 2C channels
 */
public record DiffusionSpec(
    int timesteps, double betaStart, double betaEnd, int numClasses, boolean learnedSigma)
    implements Serializable {

  /** DiT's schedule: T = 1000, linear betas 1e-4 .. 0.02. */
  public static DiffusionSpec dit(int numClasses, boolean learnedSigma) {
    return new DiffusionSpec(1000, 1e-4, 0.02, numClasses, learnedSigma);
  }

  public DiffusionSpec {
    if (timesteps < 1
        || !(betaStart > 0)
        || !(betaEnd >= betaStart)
        || !(betaEnd < 1)
        || numClasses < 1) {
      throw new IllegalArgumentException(
          "invalid diffusion schedule: timesteps="
              + timesteps
              + " betas "
              + betaStart
              + ".."
              + betaEnd
              + " classes "
              + numClasses);
    }
  }

  /**
   * abar_t = prod_{i<=t} (1 - beta_i) for t = 0..T-1, in float64 as DiT computes it, with the betas
   * of numpy.linspace(betaStart, betaEnd, T): beta_i = betaStart + i * step, and the last exactly
   * betaEnd. The one schedule of the project: DiT training noises with it and the sampler denoises
   * with it.
   */
  public double[] alphaBars() {
    int n = timesteps;
    double step = n == 1 ? 0 : (betaEnd - betaStart) / (n - 1);
    double[] alphaBar = new double[n];
    double prod = 1;
    for (int i = 0; i < n; i++) {
      double beta = i == n - 1 && n > 1 ? betaEnd : betaStart + i * step;
      prod *= 1 - beta;
      alphaBar[i] = prod;
    }
    return alphaBar;
  }

  /** The label that means "no class" (classifier-free guidance's unconditional branch). */
  public int nullLabel() {
    return numClasses;
  }
}
