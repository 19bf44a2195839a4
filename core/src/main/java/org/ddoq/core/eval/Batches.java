package org.ddoq.core.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import java.util.function.IntFunction;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.quantize.Seeds;

/**
 * Bytes to network input: pixels to [0,1], augmented, then centred to [-1,1] (student and teacher
 * alike).
 */
final class Batches {
  private Batches() {}

  /**
   * Seeds the views of teacher-labelled training; any constant would do, as long as it never
   * changes.
   */
  private static final long VIEWS = 0x5EED_50F7L;

  /** (N, C, H, W) input for {@code images[indices[from..to)]}, augmented with {@code random}. */
  static NDArray input(
      NDManager manager,
      byte[][] images,
      int[] indices,
      int from,
      int to,
      ImageShape shape,
      Augmentation augmentation,
      Random random) {
    return input(manager, images, indices, from, to, shape, augmentation, image -> random);
  }

  /**
   * The same for teacher-labelled training: image i's view in epoch e is drawn from (e, i) alone,
   * so every student of a set, whatever its seed and batch order, sees the same views ({@link
   * SoftLabels}).
   */
  static NDArray views(
      NDManager manager,
      byte[][] images,
      int[] indices,
      int from,
      int to,
      ImageShape shape,
      Augmentation augmentation,
      int epoch) {
    long epochSeed = mix(VIEWS, epoch);
    return input(
        manager,
        images,
        indices,
        from,
        to,
        shape,
        augmentation,
        image -> new Random(mix(epochSeed, image)));
  }

  /**
   * @param randomOf the random source of the image at an index of {@code images}
   */
  private static NDArray input(
      NDManager manager,
      byte[][] images,
      int[] indices,
      int from,
      int to,
      ImageShape shape,
      Augmentation augmentation,
      IntFunction<Random> randomOf) {
    int size = shape.size();
    float[] values = new float[(to - from) * size];
    float[] image = new float[size];
    for (int i = from; i < to; i++) {
      byte[] pixels = images[indices[i]];
      for (int p = 0; p < size; p++) {
        image[p] = (pixels[p] & 0xff) / 255f;
      }
      if (augmentation != null) {
        augmentation.apply(image, shape, randomOf.apply(indices[i]));
      }
      int offset = (i - from) * size;
      for (int p = 0; p < size; p++) {
        values[offset + p] = image[p] * 2 - 1;
      }
    }
    return manager.create(
        values, new Shape(to - from, shape.channels(), shape.height(), shape.width()));
  }

  /** A seed for (seed, value): {@link Seeds#mix}, the evaluation's stream. */
  static long mix(long seed, long value) {
    return Seeds.mix(seed, value);
  }

  static int[] identity(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }

  /** A fresh random permutation of 0..n-1. */
  static int[] shuffled(int n, Random random) {
    int[] order = identity(n);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
