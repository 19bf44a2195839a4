package org.ddoq.core.data;

import java.io.Serializable;

/**
 * The shape of every image in a dataset after reading: channels x height x width. Pixels travel as
 * unsigned bytes in CHW order (channel planes one after another), so one image is {@code channels *
 * height * width} bytes.
 */
public record ImageShape(int channels, int height, int width) implements Serializable {
  public ImageShape {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 (grey) or 3 (RGB), got " + channels);
    }
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "image size must be positive, got " + height + "x" + width);
    }
  }

  /** Bytes (= values) in one image. */
  public int size() {
    return channels * height * width;
  }

  /** Parses "CxHxW", e.g. "1x28x28" or "3x32x32". */
  public static ImageShape parse(String text) {
    String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x");
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "image shape must look like CxHxW (e.g. 1x28x28), got '" + text + "'");
    }
    try {
      return new ImageShape(
          Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "image shape must look like CxHxW (e.g. 1x28x28), got '" + text + "'");
    }
  }

  /**
   * Parses an option's "CxHxW" value.
   *
   * @throws InputException naming {@code option}, what it takes and what it got
   */
  public static ImageShape parseOption(String option, String text) {
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      throw new InputException(
          option
              + " must be CxHxW: C is 1 (grey) or 3 (RGB), H and W are at least 1 pixel (e.g."
              + " 1x28x28 or 3x32x32); got '"
              + text
              + "'");
    }
  }

  @Override
  public String toString() {
    return channels + "x" + height + "x" + width;
  }
}
