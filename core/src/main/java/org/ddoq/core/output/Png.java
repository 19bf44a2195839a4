package org.ddoq.core.output;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import org.ddoq.core.data.ImageShape;

/**
 * Writes CHW unsigned-byte images as PNG (lossless, so a distilled image is exactly what was
 * decoded).
 */
public final class Png {
  private Png() {}

  /** PNG bytes of one image: grey for 1 channel, RGB for 3. */
  public static byte[] encode(byte[] chw, ImageShape shape) {
    if (chw.length != shape.size()) {
      throw new IllegalArgumentException(
          "image has " + chw.length + " bytes, shape " + shape + " needs " + shape.size());
    }
    int h = shape.height();
    int w = shape.width();
    int plane = h * w;
    BufferedImage image;
    if (shape.channels() == 1) {
      image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
      image.getRaster().setDataElements(0, 0, w, h, chw);
    } else {
      image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int i = y * w + x;
          int rgb =
              (chw[i] & 0xff) << 16 | (chw[plane + i] & 0xff) << 8 | (chw[2 * plane + i] & 0xff);
          image.setRGB(x, y, rgb);
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
