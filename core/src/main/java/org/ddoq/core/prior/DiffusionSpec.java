package org.ddoq.core.prior;

import java.io.Serializable;

/**
 * The diffusion model a prior carries (DiT conventions, PAPER.md): Gaussian diffusion with
 * {@code timesteps} steps and a linear beta schedule from {@code betaStart} to {@code betaEnd}; the model
 * is called as model(x_t, t, y) on latents multiplied by the prior's scale factor and predicts epsilon.
 * With {@code learnedSigma} its output has 2C channels, of which the first C are epsilon. The null
 * label for classifier-free guidance is {@code numClasses}.
 *
 * @param timesteps    T (1000 in DiT)
 * @param betaStart    first beta (1e-4 in DiT)
 * @param betaEnd      last beta (0.02 in DiT)
 * @param numClasses   class labels 0..numClasses-1; numClasses is the null label
 * @param learnedSigma whether the model's output has 2C channels
 */
public record DiffusionSpec(int timesteps, double betaStart, double betaEnd, int numClasses, boolean learnedSigma)
    implements Serializable {

  /** DiT's schedule: T = 1000, linear betas 1e-4 .. 0.02. */
  public static DiffusionSpec dit(int numClasses, boolean learnedSigma) {
    return new DiffusionSpec(1000, 1e-4, 0.02, numClasses, learnedSigma);
  }

  public DiffusionSpec {
    if (timesteps < 1 || !(betaStart > 0) || !(betaEnd >= betaStart) || !(betaEnd < 1) || numClasses < 1) {
      throw new IllegalArgumentException("invalid diffusion schedule: timesteps=" + timesteps + " betas "
          + betaStart + ".." + betaEnd + " classes " + numClasses);
    }
  }

  /** The label that means "no class" (classifier-free guidance's unconditional branch). */
  public int nullLabel() {
    return numClasses;
  }
}
