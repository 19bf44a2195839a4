package org.ddoq.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class LossesTest {
  private static final float[][] LOGITS = {{2f, -1f, 0.5f}, {0.1f, 0.3f, -2f}};
  private static final int[] LABELS = {0, 2};

  /**
   * Loss and gradient of a set [a (weight 2), b (weight 1)] equal those of [a, a, b], all weights
   * 1.
   */
  @Test
  void aWeightOfTwoEqualsADuplicatedSample() {
    float[] weighted = {2f, 1f};
    float[][] duplicatedLogits = {LOGITS[0], LOGITS[0], LOGITS[1]};
    int[] duplicatedLabels = {0, 0, 2};
    float[] ones = {1f, 1f, 1f};
    for (boolean soft : new boolean[] {false, true}) {
      float[][] a =
          lossAndGradientPerDistinctImage(LOGITS, LABELS, weighted, soft, new int[] {0, 1});
      float[][] b =
          lossAndGradientPerDistinctImage(
              duplicatedLogits, duplicatedLabels, ones, soft, new int[] {0, 0, 1});
      assertEquals(a[0][0], b[0][0], 1e-6, "loss, soft=" + soft);
      assertArrayEquals(
          a[1], b[1], 1e-6f, "gradient w.r.t. each distinct image's logits, soft=" + soft);
    }
  }

  @Test
  void crossEntropyMatchesTheFormula() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray logits = m.create(LOGITS[0]).reshape(1, 3);
      float loss =
          Losses.weightedCrossEntropy(
                  logits, m.create(new int[] {0}).oneHot(3), m.create(new float[] {1f}))
              .getFloat();
      double expected = -(2 - Math.log(Math.exp(2) + Math.exp(-1) + Math.exp(0.5)));
      assertEquals(expected, loss, 1e-6);
    }
  }

  @Test
  void softLabelLossIsZeroForTheTeachersOwnLogitsAndPositiveOtherwise() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray teacher = m.create(LOGITS[0]).reshape(1, 3);
      NDArray w = m.create(new float[] {1f});
      assertEquals(0, Losses.weightedSoftLabelKl(teacher, teacher, 4f, w).getFloat(), 1e-7);
      NDArray student = m.create(LOGITS[1]).reshape(1, 3);
      float t = 4f;
      double[] p = softmax(LOGITS[0], t);
      double[] q = softmax(LOGITS[1], t);
      double kl = 0;
      for (int k = 0; k < 3; k++) {
        kl += p[k] * Math.log(p[k] / q[k]);
      }
      assertEquals(t * t * kl, Losses.weightedSoftLabelKl(student, teacher, t, w).getFloat(), 1e-5);
      assertTrue(kl > 0);
    }
  }

  private static double[] softmax(float[] logits, float t) {
    double sum = 0;
    double[] e = new double[logits.length];
    for (int k = 0; k < logits.length; k++) {
      e[k] = Math.exp(logits[k] / t);
      sum += e[k];
    }
    for (int k = 0; k < e.length; k++) {
      e[k] /= sum;
    }
    return e;
  }

  /**
   * Loss (weights normalised to mean 1, as training does) and the gradient summed per distinct
   * image ({@code image[i]} says which distinct image row i is). Soft targets: a fixed teacher per
   * distinct image.
   */
  private static float[][] lossAndGradientPerDistinctImage(
      float[][] logitRows, int[] labels, float[] weights, boolean soft, int[] image) {
    float[][] teacherRows = {{0.5f, 1.5f, -0.5f}, {-1f, 0f, 2f}};
    try (NDManager m = NDManager.newBaseManager()) {
      int n = logitRows.length;
      float[] flat = new float[n * 3];
      float[] teacherFlat = new float[n * 3];
      for (int i = 0; i < n; i++) {
        System.arraycopy(logitRows[i], 0, flat, 3 * i, 3);
        System.arraycopy(teacherRows[image[i]], 0, teacherFlat, 3 * i, 3);
      }
      NDArray logits = m.create(flat, new Shape(n, 3));
      logits.setRequiresGradient(true);
      float[] w =
          new LabelledImages(
                  new byte[n][1], labels, weights, new org.ddoq.core.data.ImageShape(1, 1, 1), 3)
              .normalisedWeights();
      float loss;
      try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
        NDArray value =
            soft
                ? Losses.weightedSoftLabelKl(
                    logits, m.create(teacherFlat, new Shape(n, 3)), 4f, m.create(w))
                : Losses.weightedCrossEntropy(logits, m.create(labels).oneHot(3), m.create(w));
        c.backward(value);
        loss = value.getFloat();
      }
      float[] grad = logits.getGradient().toFloatArray();
      float[] perImage = new float[2 * 3];
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < 3; k++) {
          perImage[3 * image[i] + k] += grad[3 * i + k];
        }
      }
      // Backpropagation sums the rows of a duplicated image, so the sums must agree as they are.
      return new float[][] {{loss}, perImage};
    }
  }
}
