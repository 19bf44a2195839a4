package org.ddoq.core.eval;

import java.io.Serializable;

/**
 * How a student (or the teacher) is trained: SGD with momentum and weight decay, a cosine learning
 * rate from {@code learningRate} to 0 over all steps, batches of min(batchSize, set size).
 *
 * @param temperature softmax temperature of the teacher-label loss (unused with hard labels)
 */
public record StudentSettings(
    int epochs,
    int batchSize,
    double learningRate,
    double momentum,
    double weightDecay,
    int width,
    int depth,
    float temperature,
    Augmentation augmentation)
    implements Serializable {
  public StudentSettings {
    if (epochs < 1 || batchSize < 1) {
      throw new IllegalArgumentException(
          "epochs and batch size must be >= 1, got " + epochs + " and " + batchSize);
    }
    if (!(learningRate > 0)
        || momentum < 0
        || momentum >= 1
        || weightDecay < 0
        || !(temperature > 0)) {
      throw new IllegalArgumentException(
          "need learning rate > 0, 0 <= momentum < 1, weight decay >= 0 and"
              + " temperature > 0, got "
              + learningRate
              + ", "
              + momentum
              + ", "
              + weightDecay
              + ", "
              + temperature);
    }
  }

  /**
   * DC/DSA's student optimiser (SGD 0.01, momentum 0.9, weight decay 5e-4, batch 256, ConvNet-3
   * width 128) with a cosine schedule; 300 epochs as in DC (DSA uses 1,000, which at 2 cores costs
   * 3x the time: docs/results.md shows what the shorter schedule gives); temperature 4 for 10-class
   * teachers (RDED's 20 is for 1,000 classes, where logits spread further).
   */
  public static StudentSettings defaults() {
    return new StudentSettings(
        300, 256, 0.01, 0.9, 5e-4, ConvNet.WIDTH, ConvNet.DEPTH, 4f, Augmentation.parse("dsa"));
  }

  public StudentSettings withEpochs(int e) {
    return new StudentSettings(
        e, batchSize, learningRate, momentum, weightDecay, width, depth, temperature, augmentation);
  }
}
