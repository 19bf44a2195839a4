package org.ddoq.core.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The field's first baseline: {@code ipc} real training images per class, drawn anew for every
 * seed.
 */
public final class RandomSubset {
  private RandomSubset() {}

  /** Per class the first ipc images of a seeded shuffle (all of a class with fewer); weights 1. */
  public static LabelledImages draw(LabelledImages train, int ipc, long seed) {
    int[] order = Batches.shuffled(train.size(), new Random(seed));
    int[] taken = new int[train.numClasses()];
    List<Integer> chosen = new ArrayList<>();
    for (int i : order) {
      if (taken[train.labels()[i]]++ < ipc) {
        chosen.add(i);
      }
    }
    chosen.sort(Integer::compare);
    byte[][] images = new byte[chosen.size()][];
    int[] labels = new int[chosen.size()];
    for (int j = 0; j < chosen.size(); j++) {
      images[j] = train.images()[chosen.get(j)];
      labels[j] = train.labels()[chosen.get(j)];
    }
    return LabelledImages.unweighted(images, labels, train.shape(), train.numClasses());
  }
}
