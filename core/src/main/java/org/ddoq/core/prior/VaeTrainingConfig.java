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
 *     engine's setting. Default 1: PyTorch's threads spin waiting for each other when another job
 *     holds a core, which made two threads 15x slower than one (docs/benchmarks.md)
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
   * 5 epochs of batch 32 at width 16: small batches stay in cache and train faster per image than
   * large ones, and 5 epochs nearly halve the held-out error of 3 (docs/benchmarks.md, "Why the
   * prior's defaults").
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
