package org.ddoq.core.eval;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.ddoq.core.data.ImageShape;

/**
 * How sure a teacher is that each image shows its own class: the softmax probability of the image's
 * label, on the image as it is (no augmentation). The nearest decoder uses it to prefer, among the
 * training images near a centroid, one the teacher recognises.
 */
public final class TeacherConfidence {
  private static final int BATCH = 250;

  private TeacherConfidence() {}

  /**
   * @return per image, the teacher's probability of {@code labels[i]}
   */
  public static float[] ofOwnClass(
      Teacher teacher, byte[][] images, int[] labels, ImageShape shape) {
    float[] confidence = new float[images.length];
    Shape input = new Shape(1, shape.channels(), shape.height(), shape.width());
    int[] order = Batches.identity(images.length);
    try (Model model = teacher.newModel();
        NDManager m = NDManager.newBaseManager()) {
      Block net = teacher.load(model, input);
      ParameterStore store = new ParameterStore(m, false);
      for (int from = 0; from < images.length; from += BATCH) {
        int to = Math.min(images.length, from + BATCH);
        try (NDManager sub = m.newSubManager()) {
          NDArray x = Batches.input(sub, images, order, from, to, shape, null, null);
          float[] p =
              net.forward(store, new NDList(x), false).singletonOrThrow().softmax(1).toFloatArray();
          int classes = p.length / (to - from);
          for (int i = from; i < to; i++) {
            confidence[i] = p[(i - from) * classes + labels[i]];
          }
        }
      }
    }
    return confidence;
  }
}
