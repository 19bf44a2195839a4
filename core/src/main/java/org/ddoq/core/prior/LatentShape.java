package org.ddoq.core.prior;

import java.io.Serializable;

/**
 * The shape of one latent: channels x height x width, floats in CHW order ({@code channels * height
 * * width} values).
 */
public record LatentShape(int channels, int height, int width) implements Serializable {
  public LatentShape {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "latent shape must be positive, got " + channels + "x" + height + "x" + width);
    }
  }

  /** Floats in one latent. */
  public int size() {
    return channels * height * width;
  }

  @Override
  public String toString() {
    return channels + "x" + height + "x" + width;
  }
}
