package org.ddoq.core.pipeline;

import java.io.Serializable;
import org.ddoq.core.prior.DitTrainingConfig;
import org.ddoq.core.prior.VaeTrainingConfig;

/**
 * How a built-in prior is trained: the VAE, and the DiT when {@code dit} is not null. Part of the
 * prior cache key (through {@link #toString()}), so a prior trained with other settings is never
 * reused by mistake.
 */
public record PriorTraining(VaeTrainingConfig vae, DitTrainingConfig dit) implements Serializable {

  /** The defaults: VAE and the tiny DiT. */
  public static PriorTraining defaults() {
    return new PriorTraining(VaeTrainingConfig.defaults(), DitTrainingConfig.defaults());
  }

  public PriorTraining withoutDit() {
    return new PriorTraining(vae, null);
  }
}
