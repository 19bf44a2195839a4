package org.ddoq.core.eval;

import java.io.IOException;
import java.util.Arrays;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.prior.TestIdx;

/** Real Fashion-MNIST images (Debian's dataset-fashion-mnist) for the evaluation tests. */
final class FashionImages {
  static final ImageShape SHAPE = new ImageShape(1, 28, 28);

  private FashionImages() {}

  /** The first {@code n} training images, weighted 1. */
  static LabelledImages train(int n) throws IOException {
    return LabelledImages.unweighted(
        TestIdx.images("train-images-idx3-ubyte.gz", n),
        TestIdx.labels("train-labels-idx1-ubyte.gz", n),
        SHAPE,
        10);
  }

  /** The first {@code n} test images. */
  static LabelledImages test(int n) throws IOException {
    return LabelledImages.unweighted(
        TestIdx.images("t10k-images-idx3-ubyte.gz", n),
        TestIdx.labels("t10k-labels-idx1-ubyte.gz", n),
        SHAPE,
        10);
  }

  /**
   * The first ten images of every class in {@code from}: a 100-image set, as a distilled IPC 10
   * set.
   */
  static LabelledImages tenPerClass(LabelledImages from) {
    int[] rows = new int[100];
    int[] seen = new int[10];
    int n = 0;
    for (int i = 0; i < from.size() && n < 100; i++) {
      if (seen[from.labels()[i]]++ < 10) {
        rows[n++] = i;
      }
    }
    return LabelledImages.unweighted(
        Arrays.stream(rows).mapToObj(i -> from.images()[i]).toArray(byte[][]::new),
        Arrays.stream(rows).map(i -> from.labels()[i]).toArray(),
        SHAPE,
        10);
  }
}
