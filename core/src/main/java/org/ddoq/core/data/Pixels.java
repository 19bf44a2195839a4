package org.ddoq.core.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * Pixel conversions shared by the readers: a decoded image to CHW bytes, grey/RGB conversion and
 * resizing. Grey from RGB uses the ITU-R 601 luma weights (as PIL's {@code convert("L")}); RGB from
 * grey copies the plane three times. Resizing is bilinear with the filter widened on downscale
 * (PIL's and torchvision's antialiased bilinear), so shrinking averages pixels instead of aliasing.
 */
final class Pixels {
  private Pixels() {}

  /** The shape of an image as decoded: 1 channel when its colour space is grey, else 3. */
  static ImageShape nativeShape(BufferedImage image) {
    int channels = isGrey(image) ? 1 : 3;
    return new ImageShape(channels, image.getHeight(), image.getWidth());
  }

  /**
   * The image's pixels at their own size as CHW unsigned bytes with {@code channels} planes; alpha
   * dropped.
   */
  static byte[] toChw(BufferedImage image, int channels) {
    int w = image.getWidth();
    int h = image.getHeight();
    int n = w * h;
    byte[] out = new byte[channels * n];
    if (isGrey(image)) {
      // Read the raster, not getRGB: Java treats grey as linear and getRGB would apply an sRGB
      // gamma.
      Raster raster = image.getRaster();
      int bits = image.getColorModel().getComponentSize(0);
      int max = (1 << bits) - 1;
      int[] samples = raster.getSamples(0, 0, w, h, 0, new int[n]);
      for (int i = 0; i < n; i++) {
        byte v = (byte) ((samples[i] * 255 + max / 2) / max);
        for (int c = 0; c < channels; c++) {
          out[c * n + i] = v;
        }
      }
      return out;
    }
    int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
    for (int i = 0; i < n; i++) {
      int r = (argb[i] >> 16) & 0xff;
      int g = (argb[i] >> 8) & 0xff;
      int b = argb[i] & 0xff;
      if (channels == 1) {
        out[i] = (byte) ((r * 299 + g * 587 + b * 114 + 500) / 1000);
      } else {
        out[i] = (byte) r;
        out[n + i] = (byte) g;
        out[2 * n + i] = (byte) b;
      }
    }
    return out;
  }

  /** Converts CHW bytes of shape {@code from} to shape {@code to}: channels first, then size. */
  static byte[] convert(byte[] chw, ImageShape from, ImageShape to) {
    if (from.equals(to)) {
      return chw;
    }
    byte[] channelled = convertChannels(chw, from, to.channels());
    if (from.height() == to.height() && from.width() == to.width()) {
      return channelled;
    }
    int inPlane = from.height() * from.width();
    int outPlane = to.height() * to.width();
    byte[] out = new byte[to.size()];
    float[] plane = new float[inPlane];
    for (int c = 0; c < to.channels(); c++) {
      for (int i = 0; i < inPlane; i++) {
        plane[i] = channelled[c * inPlane + i] & 0xff;
      }
      float[] resized = resize(plane, from.height(), from.width(), to.height(), to.width());
      for (int i = 0; i < outPlane; i++) {
        out[c * outPlane + i] = (byte) Math.max(0, Math.min(255, Math.round(resized[i])));
      }
    }
    return out;
  }

  private static byte[] convertChannels(byte[] chw, ImageShape from, int channels) {
    if (from.channels() == channels) {
      return chw;
    }
    int n = from.height() * from.width();
    byte[] out = new byte[channels * n];
    if (channels == 3) {
      for (int c = 0; c < 3; c++) {
        System.arraycopy(chw, 0, out, c * n, n);
      }
    } else {
      for (int i = 0; i < n; i++) {
        int r = chw[i] & 0xff;
        int g = chw[n + i] & 0xff;
        int b = chw[2 * n + i] & 0xff;
        out[i] = (byte) ((r * 299 + g * 587 + b * 114 + 500) / 1000);
      }
    }
    return out;
  }

  /** Separable resize of one plane: rows first, then columns. */
  static float[] resize(float[] plane, int inH, int inW, int outH, int outW) {
    Weights across = Weights.of(inW, outW);
    Weights down = Weights.of(inH, outH);
    float[] rows = new float[inH * outW];
    for (int y = 0; y < inH; y++) {
      for (int x = 0; x < outW; x++) {
        rows[y * outW + x] = across.apply(plane, y * inW, 1, x);
      }
    }
    float[] out = new float[outH * outW];
    for (int x = 0; x < outW; x++) {
      for (int y = 0; y < outH; y++) {
        out[y * outW + x] = down.apply(rows, x, outW, y);
      }
    }
    return out;
  }

  private static boolean isGrey(BufferedImage image) {
    return image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
  }

  /**
   * Triangle-filter taps for one axis. Pixel centres sit at i + 0.5; on downscale the triangle is
   * stretched by the scale so each output pixel averages all input pixels it covers.
   */
  private record Weights(int[] first, float[][] taps) {
    static Weights of(int in, int out) {
      double scale = (double) in / out;
      double radius = Math.max(scale, 1.0);
      int[] first = new int[out];
      float[][] taps = new float[out][];
      for (int o = 0; o < out; o++) {
        double centre = (o + 0.5) * scale;
        int lo = Math.max(0, (int) Math.floor(centre - radius));
        int hi = Math.min(in, (int) Math.ceil(centre + radius));
        float[] w = new float[hi - lo];
        double sum = 0;
        for (int j = lo; j < hi; j++) {
          double t = 1.0 - Math.abs((j + 0.5 - centre) / radius);
          w[j - lo] = (float) Math.max(0.0, t);
          sum += w[j - lo];
        }
        for (int k = 0; k < w.length; k++) {
          w[k] /= (float) sum;
        }
        first[o] = lo;
        taps[o] = w;
      }
      return new Weights(first, taps);
    }

    float apply(float[] src, int offset, int stride, int o) {
      float[] w = taps[o];
      int base = offset + first[o] * stride;
      float acc = 0f;
      for (int k = 0; k < w.length; k++) {
        acc += w[k] * src[base + k * stride];
      }
      return acc;
    }
  }
}
