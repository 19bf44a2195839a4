package org.ddoq.jobs;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.ImageLimits;
import picocli.CommandLine.Option;

/**
 * {@code --max-image-pixels N}, of every command that reads images: the readers refuse an image
 * whose header declares more pixels ({@link ImageLimits}), naming it among the skipped inputs.
 */
final class ImageLimitOption {
  @Option(
      names = "--max-image-pixels",
      paramLabel = "N",
      description =
          "skip images whose header declares more than N pixels, before decoding them (default"
              + " 89478485, PIL's MAX_IMAGE_PIXELS; also spark.hadoop.ddoq.max-image-pixels)")
  Long maxImagePixels;

  /** Refuses an unusable value before any Spark work. */
  void check() {
    if (maxImagePixels != null) {
      ImageLimits.check(maxImagePixels, "--max-image-pixels");
    }
  }

  /** Restores the session's own limit when the command ends. */
  interface Restore extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Sets the limit on {@code spark}'s Hadoop configuration, which carries it to the executors; a
   * session the command reuses (a notebook's, a test's) gets its own value back on close.
   */
  Restore applyTo(SparkSession spark) {
    if (maxImagePixels == null) {
      return () -> {};
    }
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    String before = conf.get(ImageLimits.KEY);
    conf.setLong(ImageLimits.KEY, maxImagePixels);
    return () -> {
      if (before == null) {
        conf.unset(ImageLimits.KEY);
      } else {
        conf.set(ImageLimits.KEY, before);
      }
    };
  }
}
