package org.ddoq.core.data;

import java.util.Locale;
import org.apache.hadoop.conf.Configuration;

/**
 * The largest image a reader decodes, in pixels (width x height as the file's header declares them,
 * read before any pixel is decoded). A few hundred kilobytes of PNG can declare 30000 x 30000
 * pixels (a decompression bomb): decoding it would take gigabytes for one image. The limit travels
 * in the Hadoop configuration under {@value #KEY}, so it reaches the executors with the rest of the
 * file system settings and can be set with {@code --conf spark.hadoop.ddoq.max-image-pixels=N}.
 */
public final class ImageLimits {
  /** The Hadoop configuration key of the limit. */
  public static final String KEY = "ddoq.max-image-pixels";

  /** PIL's {@code Image.MAX_IMAGE_PIXELS}: 1024 * 1024 * 1024 / 4 / 3, ~9459 x 9459. */
  public static final long DEFAULT = 89_478_485L;

  /**
   * The highest limit that can be set: one image's pixels, times its 3 channels, must fit a Java
   * array.
   */
  public static final long MAX = Integer.MAX_VALUE / 3;

  private ImageLimits() {}

  /** The limit in {@code conf}, {@link #DEFAULT} when unset. */
  public static long maxPixels(Configuration conf) {
    return check(conf.getLong(KEY, DEFAULT), KEY);
  }

  /**
   * {@code value} when it is a usable limit.
   *
   * @param name how the user set it (an option or the configuration key), for the message
   * @throws InputException naming {@code name} when it is out of range
   */
  public static long check(long value, String name) {
    if (value < 1 || value > MAX) {
      throw new InputException(
          String.format(
              Locale.ROOT,
              "%s must be between 1 and %,d pixels (default %,d, PIL's limit), got %,d",
              name,
              MAX,
              DEFAULT,
              value));
    }
    return value;
  }

  /** Why an image of {@code width} x {@code height} is refused under {@code limit}. */
  static String refusal(long width, long height, long limit) {
    return String.format(
        Locale.ROOT,
        "refused before decoding: its header declares %d x %d = %,d pixels, over the limit of %,d"
            + " (a decompression bomb, or a very large image); shrink the image, or raise"
            + " --max-image-pixels if you trust it",
        width,
        height,
        width * height,
        limit);
  }
}
