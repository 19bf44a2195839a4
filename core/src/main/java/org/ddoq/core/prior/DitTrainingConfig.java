package org.ddoq.core.prior;

import java.io.Serializable;

/**
 * Settings of {@link DitTraining}. {@link #defaults()} trains the embedded default (60,000
 * Fashion-MNIST latents 4x7x7) in under 15 minutes on 2 CPU cores.
 *
 * @param model named DiT configuration ({@link Dit#config(String)}: tiny or small)
 * @param epochs passes over the latents (a resumed run continues up to this many)
 * @param batchSize latents per Adam step
 * @param learningRate Adam's learning rate after warm-up (no weight decay: Adam = AdamW here, as
 *     DiT's wd 0)
 * @param seed makes initialisation, shuffling, timesteps, noise and label drops repeatable
 * @param resume continue from the checkpoint in the prior directory when it matches these settings
 * @param threads PyTorch intra-op threads while training (restored afterwards); 0 leaves the
 *     engine's setting. Default 1: on these shared 2-core machines two threads made training steps
 *     6-32x slower whenever other processes ran (threads spin waiting for each other)
 * @param emaDecay decay of the moving average of the weights that the prior keeps ({@link DitEma});
 *     0 keeps the last step's weights
 * @param prediction the network's training target ({@link DitPrediction}: v by default)
 */
public record DitTrainingConfig(
    String model,
    int epochs,
    int batchSize,
    double learningRate,
    long seed,
    boolean resume,
    int threads,
    double emaDecay,
    DitPrediction prediction)
    implements Serializable {

  public DitTrainingConfig {
    Dit.config(model);
    java.util.Objects.requireNonNull(prediction, "prediction");
    if (!(emaDecay >= 0 && emaDecay < 1)) {
      throw new IllegalArgumentException("the EMA decay must be in [0, 1), got " + emaDecay);
    }
    if (epochs < 1 || batchSize < 1 || !(learningRate > 0) || threads < 0) {
      throw new IllegalArgumentException(
          "epochs and batch size must be positive and the learning rate above 0,"
              + " and threads not negative, got epochs="
              + epochs
              + " batchSize="
              + batchSize
              + " learningRate="
              + learningRate
              + " threads="
              + threads);
    }
  }

  /**
   * tiny, 12 epochs of batch 128, learning rate 3e-4 after a warm-up, one thread, v prediction: a
   * fixed 1e-3 without warm-up diverged. Times and losses: docs/benchmarks.md, "Why the prior's
   * defaults".
   */
  public static DitTrainingConfig defaults() {
    return new DitTrainingConfig("tiny", 12, 128, 3e-4, 42, true, 1, 0.999, DitPrediction.V);
  }

  public Dit.Config dit() {
    return Dit.config(model).withPrediction(prediction);
  }

  public DitTrainingConfig withEpochs(int value) {
    return new DitTrainingConfig(
        model, value, batchSize, learningRate, seed, resume, threads, emaDecay, prediction);
  }

  public DitTrainingConfig withModel(String value) {
    return new DitTrainingConfig(
        value, epochs, batchSize, learningRate, seed, resume, threads, emaDecay, prediction);
  }

  public DitTrainingConfig withBatchSize(int value) {
    return new DitTrainingConfig(
        model, epochs, value, learningRate, seed, resume, threads, emaDecay, prediction);
  }

  public DitTrainingConfig withLearningRate(double value) {
    return new DitTrainingConfig(
        model, epochs, batchSize, value, seed, resume, threads, emaDecay, prediction);
  }

  public DitTrainingConfig withThreads(int value) {
    return new DitTrainingConfig(
        model, epochs, batchSize, learningRate, seed, resume, value, emaDecay, prediction);
  }

  public DitTrainingConfig withEmaDecay(double value) {
    return new DitTrainingConfig(
        model, epochs, batchSize, learningRate, seed, resume, threads, value, prediction);
  }

  public DitTrainingConfig withPrediction(DitPrediction value) {
    return new DitTrainingConfig(
        model, epochs, batchSize, learningRate, seed, resume, threads, emaDecay, value);
  }

  public DitTrainingConfig withResume(boolean value) {
    return new DitTrainingConfig(
        model, epochs, batchSize, learningRate, seed, value, threads, emaDecay, prediction);
  }
}
