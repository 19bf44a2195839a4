package org.ddoq.core.eval;

import java.io.Serializable;
import java.util.Random;
import org.ddoq.core.data.ImageShape;

/**
 * The student's data augmentation, after DSA's evaluation protocol (Zhao & Bilen 2021): each
 * training image gets ONE transformation drawn at random from colour, crop, cutout, flip, scale and
 * rotate, with DSA's strengths (translation up to 1/8 of the side, scale 0.8-1.2, rotation up to 15
 * degrees, a cutout square of half the side). DSA draws one per batch; one per image gives more
 * variety to a 10-image set at no cost. Horizontal flips suit both garments and natural images; for
 * digits or text a user passes {@code --augment none} (or a list without flip).
 *
 * <p>The built-in teacher instead takes every listed transformation in turn ({@code shift+flip}:
 * the standard CIFAR recipe, a shift by whole pixels, as padding by 1/8 of the side and cropping
 * does, then a flip half of the time); {@code shift} keeps pixels exact where {@code crop}'s
 * sub-pixel shift blurs them.
 *
 * <p>Works on pixel values in [0,1] (CHW floats); areas uncovered by a warp are filled with 0
 * (black).
 */
public final class Augmentation implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Every transformation, in the order of {@link #parse}'s list. */
  public static final String ALL = "color,crop,cutout,flip,scale,rotate";

  /** Not in DSA's list: a shift by whole pixels, up to 1/8 of the side (the teacher's crop). */
  private static final String ACCEPTED = ALL + ",shift";

  private final String[] transforms;

  /** true: every transformation in turn ("a+b"); false: one drawn per image ("a,b"). */
  private final boolean allInTurn;

  private Augmentation(String[] transforms, boolean allInTurn) {
    this.transforms = transforms;
    this.allInTurn = allInTurn;
  }

  /**
   * "none", "dsa" (= {@value #ALL}), a comma-separated list (one drawn per image) or a
   * plus-separated list (all in turn) of {@value #ACCEPTED}.
   */
  public static Augmentation parse(String spec) {
    String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
    if (s.equals("none")) {
      return new Augmentation(new String[0], false);
    }
    boolean allInTurn = s.contains("+");
    String[] names = (s.equals("dsa") ? ALL : s).split(allInTurn ? "\\+" : ",");
    for (int i = 0; i < names.length; i++) {
      names[i] = names[i].trim();
      if (!(',' + ACCEPTED + ',').contains(',' + names[i] + ',') || names[i].isEmpty()) {
        throw new IllegalArgumentException(
            "unknown augmentation '"
                + names[i]
                + "': use none, dsa, a"
                + " comma-separated list (one per image) or a plus-separated list (all in turn) of "
                + ACCEPTED);
      }
    }
    return new Augmentation(names, allInTurn);
  }

  public boolean isNone() {
    return transforms.length == 0;
  }

  @Override
  public String toString() {
    return isNone() ? "none" : String.join(allInTurn ? "+" : ",", transforms);
  }

  /** Augments {@code image} (CHW floats in [0,1]) in place, drawing from {@code random}. */
  public void apply(float[] image, ImageShape shape, Random random) {
    if (allInTurn) {
      for (String t : transforms) {
        apply(t, image, shape, random);
      }
    } else if (!isNone()) {
      apply(transforms[random.nextInt(transforms.length)], image, shape, random);
    }
  }

  private static void apply(String transform, float[] image, ImageShape shape, Random random) {
    switch (transform) {
      case "color" -> color(image, shape, random);
      case "crop" ->
          warp(
              image,
              shape,
              1,
              0,
              0,
              1,
              uniform(random, 0.125) * shape.height(),
              uniform(random, 0.125) * shape.width());
      case "shift" ->
          warp(
              image,
              shape,
              1,
              0,
              0,
              1,
              wholePixels(random, shape.height() / 8),
              wholePixels(random, shape.width() / 8));
      case "cutout" -> cutout(image, shape, random);
      case "flip" -> {
        if (random.nextBoolean()) {
          flip(image, shape);
        }
      }
      case "scale" ->
          warp(image, shape, 1 + uniform(random, 0.2), 0, 0, 1 + uniform(random, 0.2), 0, 0);
      case "rotate" -> {
        double a = Math.toRadians(uniform(random, 15));
        warp(image, shape, Math.cos(a), -Math.sin(a), Math.sin(a), Math.cos(a), 0, 0);
      }
      default -> throw new IllegalStateException(transform);
    }
  }

  /** A whole number uniform in [-r, r]: a warp by it copies pixels exactly. */
  private static int wholePixels(Random random, int r) {
    return random.nextInt(2 * r + 1) - r;
  }

  /** Uniform in [-r, r]. */
  private static double uniform(Random random, double r) {
    return (2 * random.nextDouble() - 1) * r;
  }

  /**
   * DSA's colour: brightness shift, saturation (colour images) and contrast around the image mean.
   */
  private static void color(float[] image, ImageShape shape, Random random) {
    float brightness = (float) (random.nextDouble() - 0.5) * 0.5f;
    float contrast = (float) (0.5 + random.nextDouble());
    int plane = shape.height() * shape.width();
    if (shape.channels() == 3) {
      float saturation = (float) (2 * random.nextDouble());
      for (int p = 0; p < plane; p++) {
        float grey = (image[p] + image[plane + p] + image[2 * plane + p]) / 3;
        for (int c = 0; c < 3; c++) {
          image[c * plane + p] = grey + (image[c * plane + p] - grey) * saturation;
        }
      }
    }
    double mean = 0;
    for (float v : image) {
      mean += v;
    }
    float m = (float) (mean / image.length);
    for (int i = 0; i < image.length; i++) {
      image[i] = Math.max(0f, Math.min(1f, (image[i] + brightness - m) * contrast + m));
    }
  }

  private static void cutout(float[] image, ImageShape shape, Random random) {
    int h = shape.height();
    int w = shape.width();
    int side = h / 2;
    int cy = random.nextInt(h);
    int cx = random.nextInt(w);
    for (int c = 0; c < shape.channels(); c++) {
      for (int y = Math.max(0, cy - side / 2); y < Math.min(h, cy + (side + 1) / 2); y++) {
        for (int x = Math.max(0, cx - side / 2); x < Math.min(w, cx + (side + 1) / 2); x++) {
          image[(c * h + y) * w + x] = 0;
        }
      }
    }
  }

  private static void flip(float[] image, ImageShape shape) {
    int w = shape.width();
    for (int row = 0; row < shape.channels() * shape.height(); row++) {
      for (int x = 0; x < w / 2; x++) {
        int a = row * w + x;
        int b = row * w + w - 1 - x;
        float t = image[a];
        image[a] = image[b];
        image[b] = t;
      }
    }
  }

  /**
   * Output pixel p takes the bilinear sample at M^-1 (p - centre - t) + centre, i.e. the image is
   * scaled or rotated by M about its centre and then shifted by t = (ty, tx) pixels.
   */
  static void warp(
      float[] image,
      ImageShape shape,
      double m00,
      double m01,
      double m10,
      double m11,
      double ty,
      double tx) {
    int h = shape.height();
    int w = shape.width();
    double det = m00 * m11 - m01 * m10;
    double i00 = m11 / det;
    double i01 = -m01 / det;
    double i10 = -m10 / det;
    double i11 = m00 / det;
    double cy = (h - 1) / 2.0;
    double cx = (w - 1) / 2.0;
    float[] source = image.clone();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double dy = y - cy - ty;
        double dx = x - cx - tx;
        double sy = i00 * dy + i01 * dx + cy;
        double sx = i10 * dy + i11 * dx + cx;
        for (int c = 0; c < shape.channels(); c++) {
          image[(c * h + y) * w + x] = bilinear(source, c * h * w, h, w, sy, sx);
        }
      }
    }
  }

  private static float bilinear(float[] plane, int offset, int h, int w, double y, double x) {
    int y0 = (int) Math.floor(y);
    int x0 = (int) Math.floor(x);
    double fy = y - y0;
    double fx = x - x0;
    return (float)
        ((1 - fy)
                * ((1 - fx) * at(plane, offset, h, w, y0, x0)
                    + fx * at(plane, offset, h, w, y0, x0 + 1))
            + fy
                * ((1 - fx) * at(plane, offset, h, w, y0 + 1, x0)
                    + fx * at(plane, offset, h, w, y0 + 1, x0 + 1)));
  }

  private static float at(float[] plane, int offset, int h, int w, int y, int x) {
    return y < 0 || y >= h || x < 0 || x >= w ? 0f : plane[offset + y * w + x];
  }
}
