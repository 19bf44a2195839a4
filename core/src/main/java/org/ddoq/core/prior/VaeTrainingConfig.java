package org.ddoq.core.prior;

import java.io.Serializable;

/**
 * Settings of {@link VaeTraining}. {@link #defaults()} trains the embedded default (Fashion-MNIST,
 * 60,000 images 28x28 grey) in about 5 minutes on 2 CPU cores.
 *
 * @param epochs passes over the training images
 * @param batchSize images per Adam step
 * @param learningRate Adam's learning rate
 * @param maxTrainImages at most this many training images (a seeded random subset when there are
 *     more)
 * @param seed makes initialisation, shuffling and sampling repeatable
 * @param beta KL weight, in units of squared [0,1] pixel error (see {@link VaeTraining})
 * @param width channels of the VAE's widest layer (see {@link ConvVae})
 * @param threads PyTorch intra-op threads while training (restored afterwards); 0 leaves the
 *     engine's setting. Default 1: with an evaluation running beside it on a 2-core machine,
 *     training ran 846 img/s on one thread and 56 img/s on two (threads spin waiting for each other
 *     when a core is taken; docs/benchmarks.md)
 */
public record VaeTrainingConfig(
    int epochs,
    int batchSize,
    double learningRate,
    int maxTrainImages,
    long seed,
    double beta,
    int width,
    int threads)
    implements Serializable {

  public VaeTrainingConfig {
    if (threads < 0) {
      throw new IllegalArgumentException("threads must not be negative, got " + threads);
    }
    if (epochs < 1 || batchSize < 1 || maxTrainImages < 1 || width < 2 || width % 2 != 0) {
      throw new IllegalArgumentException(
          "epochs, batch size and max train images must be positive and "
              + "width even, got epochs="
              + epochs
              + " batchSize="
              + batchSize
              + " maxTrainImages="
              + maxTrainImages
              + " width="
              + width);
    }
    if (!(learningRate > 0) || !(beta >= 0)) {
      throw new IllegalArgumentException(
          "learning rate must be positive and beta non-negative, got "
              + learningRate
              + " and "
              + beta);
    }
  }

  /**
   * 5 epochs of batch 32 at width 16. Measured here: batch 32 trains ~850-1200 img/s, batch 256
   * only ~430 (small batches stay in cache) with 8x fewer steps; 3 epochs of 60,000 took 149 s
   * (held-out MSE 0.0118); 5 epochs gave held-out MSE 0.0069 but took 799 s on cores busy with
   * other builds (375 img/s). Uncontended, 5 epochs take ~4-5 minutes.
   */
  public static VaeTrainingConfig defaults() {
    return new VaeTrainingConfig(5, 32, 2e-3, 60_000, 42, 0.005, 16, 1);
  }

  public VaeTrainingConfig withEpochs(int value) {
    return new VaeTrainingConfig(
        value, batchSize, learningRate, maxTrainImages, seed, beta, width, threads);
  }

  public VaeTrainingConfig withMaxTrainImages(int value) {
    return new VaeTrainingConfig(
        epochs, batchSize, learningRate, value, seed, beta, width, threads);
  }

  public VaeTrainingConfig withSeed(long value) {
    return new VaeTrainingConfig(
        epochs, batchSize, learningRate, maxTrainImages, value, beta, width, threads);
  }

  public VaeTrainingConfig withThreads(int value) {
    return new VaeTrainingConfig(
        epochs, batchSize, learningRate, maxTrainImages, seed, beta, width, value);
  }

  public VaeTrainingConfig withBatchSize(int value) {
    return new VaeTrainingConfig(
        epochs, value, learningRate, maxTrainImages, seed, beta, width, threads);
  }
}
