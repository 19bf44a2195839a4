package org.ddoq.core.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;

/** Reads one image file by path when a caller (not a reader) knows which files it needs. */
public final class ImageFiles {
  private ImageFiles() {}

  /**
   * Reads and decodes {@code path} (any Hadoop path) into CHW bytes of {@code shape}.
   *
   * @throws InputException naming the file and what to do when it is missing or not a usable image
   */
  public static byte[] read(Configuration conf, String path, ImageShape shape) {
    byte[] bytes;
    try {
      bytes = ImageDecoding.readFile(conf, path);
    } catch (FileNotFoundException e) {
      throw new InputException(
          path
              + " does not exist; the directory is incomplete (copy it again or"
              + " re-run the command that wrote it)");
    } catch (IOException e) {
      throw new InputException("could not read " + path + ": " + e.getMessage());
    }
    ImageDecoding.Result result = ImageDecoding.toShape(bytes, shape, ImageLimits.maxPixels(conf));
    if (result.pixels() == null) {
      throw new InputException(path + ": " + result.problem());
    }
    return result.pixels();
  }
}
