package org.ddoq.core.eval;

import ai.djl.ndarray.NDArray;

/**
 * The student's two losses, both weighted per image. With weights w (mean 1 over the training set)
 * and a batch of B images, loss = sum_i w_i * l_i / B: an unbiased estimate of the weighted risk
 * under uniform batches, and over a full batch a weight of 2 equals the image appearing twice.
 */
final class Losses {
  private Losses() {}

  /** Hard labels: l_i = -log softmax(logits_i)[y_i]. logits (B, K), oneHot (B, K), weights (B). */
  static NDArray weightedCrossEntropy(NDArray logits, NDArray oneHot, NDArray weights) {
    NDArray perImage = logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg();
    return perImage.mul(weights).sum().div(perImage.getShape().get(0));
  }

  /**
   * Teacher soft labels (knowledge distillation, as in RDED / SRe2L): l_i = T^2
   * KL(softmax(teacher_i / T) || softmax(student_i / T)); T^2 keeps the gradient's size independent
   * of the temperature (Hinton et al. 2015).
   */
  static NDArray weightedSoftLabelKl(
      NDArray studentLogits, NDArray teacherLogits, float temperature, NDArray weights) {
    NDArray teacherLog = teacherLogits.div(temperature).logSoftmax(1);
    NDArray studentLog = studentLogits.div(temperature).logSoftmax(1);
    NDArray perImage =
        teacherLog
            .exp()
            .mul(teacherLog.sub(studentLog))
            .sum(new int[] {1})
            .mul(temperature * temperature);
    return perImage.mul(weights).sum().div(perImage.getShape().get(0));
  }
}
