package org.ddoq.core.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Decodes one image file (PNG, JPEG, BMP, GIF, TIFF through javax.imageio) into CHW bytes of a
 * target shape, or says in words a user can act on why it cannot. Images over a pixel limit ({@link
 * ImageLimits}) are refused from their header, before their pixels take any memory.
 */
final class ImageDecoding {
  static {
    // ImageIO would otherwise buffer every stream through a temporary file.
    ImageIO.setUseCache(false);
  }

  private ImageDecoding() {}

  /**
   * Either {@code pixels} (CHW, target shape) or {@code problem} (why the file was skipped) is set.
   */
  record Result(byte[] pixels, String problem) {
    static Result skipped(String problem) {
      return new Result(null, problem);
    }
  }

  /** Reads a whole file; images are small enough to hold one per task thread. */
  static byte[] readFile(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    try (InputStream in = p.getFileSystem(conf).open(p)) {
      return in.readAllBytes();
    }
  }

  /**
   * Decodes without converting; null with a reason in {@code why[0]} when it cannot, or when the
   * header declares more than {@code maxPixels} pixels (checked before any pixel is decoded).
   */
  static BufferedImage decode(byte[] bytes, String[] why, long maxPixels) {
    if (bytes.length == 0) {
      why[0] = "empty file (0 bytes); copy it again or delete it";
      return null;
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        why[0] =
            "not a PNG/JPEG/BMP/GIF/TIFF image despite its extension (no image decoder recognises the"
                + " content); convert it to PNG or delete it";
        return null;
      }
      // What ImageIO.read does, with the size read from the header in between.
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width * height > maxPixels) {
          why[0] = ImageLimits.refusal(width, height, maxPixels);
          return null;
        }
        return reader.read(0, reader.getDefaultReadParam());
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      // ImageIO reports damaged data as IIOException, and sometimes as an unchecked exception from
      // deep inside.
      why[0] =
          "corrupt or truncated image data ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + "); export the image again or delete it";
      return null;
    }
  }

  /** Decodes and converts to {@code target}. */
  static Result toShape(byte[] bytes, ImageShape target, long maxPixels) {
    String[] why = new String[1];
    BufferedImage image = decode(bytes, why, maxPixels);
    if (image == null) {
      return Result.skipped(why[0]);
    }
    try {
      ImageShape own = Pixels.nativeShape(image);
      return new Result(Pixels.convert(Pixels.toChw(image, own.channels()), own, target), null);
    } catch (RuntimeException e) {
      // Lazily decoded formats can fail only when the pixels are touched.
      return Result.skipped(
          "corrupt image data ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + "); export the image again or delete it");
    }
  }
}
