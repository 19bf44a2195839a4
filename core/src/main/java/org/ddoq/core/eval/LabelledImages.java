package org.ddoq.core.eval;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.ddoq.core.data.ImageDataset;
import org.ddoq.core.data.ImageRows;
import org.ddoq.core.data.ImageShape;

/**
 * A training or test set held in memory: images (CHW unsigned bytes), labels and a weight per
 * image. Weights are relative: the loss divides by their mean, so only ratios matter and a weight
 * of 2 counts exactly like the image appearing twice.
 */
public record LabelledImages(
    byte[][] images, int[] labels, float[] weights, ImageShape shape, int numClasses)
    implements Serializable {
  public LabelledImages {
    if (images.length != labels.length || images.length != weights.length) {
      throw new IllegalArgumentException(
          "images, labels and weights differ in length: "
              + images.length
              + ", "
              + labels.length
              + ", "
              + weights.length);
    }
    for (int i = 0; i < images.length; i++) {
      if (images[i].length != shape.size()) {
        throw new IllegalArgumentException(
            "image "
                + i
                + " has "
                + images[i].length
                + " bytes, expected "
                + shape.size()
                + " for "
                + shape);
      }
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "image " + i + " has label " + labels[i] + ", outside 0.." + (numClasses - 1));
      }
      if (!(weights[i] >= 0) || Float.isInfinite(weights[i])) {
        throw new IllegalArgumentException(
            "image " + i + " has weight " + weights[i] + "; weights must be finite and >= 0");
      }
    }
  }

  /** Every image weighted 1. */
  public static LabelledImages unweighted(
      byte[][] images, int[] labels, ImageShape shape, int numClasses) {
    float[] ones = new float[images.length];
    Arrays.fill(ones, 1f);
    return new LabelledImages(images, labels, ones, shape, numClasses);
  }

  /**
   * All images of a split on the driver (Fashion-MNIST's 60,000 are 47 MB), in id order, weighted
   * 1; {@code numClasses} from the training split, which the test split's labels must fit.
   */
  public static LabelledImages collect(ImageDataset data, int numClasses) {
    List<Row> rows =
        data.rows()
            .select(ImageRows.ID, ImageRows.LABEL, ImageRows.IMAGE)
            .orderBy(ImageRows.ID)
            .collectAsList();
    byte[][] images = new byte[rows.size()][];
    int[] labels = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      labels[i] = rows.get(i).getInt(1);
      images[i] = (byte[]) rows.get(i).get(2);
    }
    return unweighted(images, labels, data.shape(), numClasses);
  }

  public int size() {
    return images.length;
  }

  /** The images of class {@code label} only, in their order, with their weights. */
  public LabelledImages only(int label) {
    List<Integer> rows = new ArrayList<>();
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == label) {
        rows.add(i);
      }
    }
    byte[][] im = new byte[rows.size()][];
    int[] la = new int[rows.size()];
    float[] we = new float[rows.size()];
    for (int j = 0; j < rows.size(); j++) {
      im[j] = images[rows.get(j)];
      la[j] = label;
      we[j] = weights[rows.get(j)];
    }
    return new LabelledImages(im, la, we, shape, numClasses);
  }

  /** The same images and labels with other weights. */
  public LabelledImages withWeights(float[] newWeights) {
    return new LabelledImages(images, labels, newWeights, shape, numClasses);
  }

  /**
   * Weights divided by their mean (all 1 when every weight is 0, which would otherwise train
   * nothing).
   */
  public float[] normalisedWeights() {
    double sum = 0;
    for (float w : weights) {
      sum += w;
    }
    float[] out = new float[weights.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = sum > 0 ? (float) (weights[i] * weights.length / sum) : 1f;
    }
    return out;
  }
}
