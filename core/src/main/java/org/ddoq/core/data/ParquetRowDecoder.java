package org.ddoq.core.data;

import java.io.Serializable;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Executor side of {@link ParquetImageReader}: turns one table row (bytes, path, label, class name
 * or null, file name, row index) into an image row, or into the reason it is skipped.
 *
 * <p>The result has the five {@link ImageRows} columns, then {@link #PROBLEM} (null when the image
 * is good) and {@link #UNCOVERED} (true when the label is past the declared class names, which
 * stops the read instead of skipping the row).
 */
final class ParquetRowDecoder implements Serializable {
  private static final long serialVersionUID = 1L;

  static final int PROBLEM = 5;
  static final int UNCOVERED = 6;

  /** Why a row whose {@code image.bytes} is null is skipped. */
  static final String NULL_BYTES =
      "no encoded image (image.bytes is null); put the PNG or JPEG file's bytes in image.bytes"
          + " (a datasets table made from image files holds only their paths until embedded,"
          + " docs/usage.md) or drop the row";

  // Bits of the id that hold the row number: 2^40 rows per file, 2^23 files.
  private static final int ROW_BITS = 40;

  private final Map<String, Integer> fileIndex;
  private final String[] paths;
  private final String[] names;
  private final String namesOrigin;
  private final boolean namesFromColumn;
  private final ImageShape shape;
  private final long maxPixels;

  /**
   * @param fileIndex each file's name to its index in name order
   * @param paths the files' full paths by index, for sources
   * @param names declared class names, or null when the rows name the classes
   * @param namesOrigin where {@code names} came from, for the message of an uncovered label
   * @param namesFromColumn when {@code names} is null: true to take the class_name column, false to
   *     name each class by its label
   * @param maxPixels images whose header declares more pixels are skipped ({@link ImageLimits})
   */
  ParquetRowDecoder(
      Map<String, Integer> fileIndex,
      String[] paths,
      String[] names,
      String namesOrigin,
      boolean namesFromColumn,
      ImageShape shape,
      long maxPixels) {
    this.fileIndex = fileIndex;
    this.paths = paths;
    this.names = names;
    this.namesOrigin = namesOrigin;
    this.namesFromColumn = namesFromColumn;
    this.shape = shape;
    this.maxPixels = maxPixels;
  }

  Row decode(Row in) {
    Integer file = fileIndex.get(in.getString(4));
    if (file == null) {
      throw new IllegalStateException(
          "Spark read a file that was not listed: "
              + in.getString(4)
              + " (not among "
              + fileIndex.keySet()
              + ")");
    }
    long row = in.getLong(5);
    long id = ((long) file << ROW_BITS) | row;
    String source = paths[file] + "#" + row + (in.isNullAt(1) ? "" : " (" + in.getString(1) + ")");
    if (in.isNullAt(2)) {
      return skipped(id, source, "no label (label is null); label the row or drop it");
    }
    long label = in.getLong(2);
    if (label < 0) {
      return skipped(
          id,
          source,
          "label "
              + label
              + " names no class (Hugging Face marks unlabelled images with -1); only labelled"
              + " images are distilled");
    }
    if (names != null && label >= names.length) {
      return uncovered(
          id,
          source,
          "label "
              + label
              + " is out of range: "
              + namesOrigin
              + " names "
              + names.length
              + " classes (labels 0.."
              + (names.length - 1)
              + "); correct the labels or the class names");
    }
    if (label > Integer.MAX_VALUE - 1) {
      return uncovered(
          id, source, "label " + label + " is not a class number; number the classes 0..n-1");
    }
    String className;
    if (names != null) {
      className = names[(int) label];
    } else if (namesFromColumn) {
      if (in.isNullAt(3)) {
        return skipped(
            id, source, "no class name (class_name is null); fill in class_name or drop the row");
      }
      className = in.getString(3);
    } else {
      className = Long.toString(label);
    }
    if (in.isNullAt(0)) {
      return skipped(id, source, NULL_BYTES);
    }
    ImageDecoding.Result r = ImageDecoding.toShape((byte[]) in.get(0), shape, maxPixels);
    return RowFactory.create(id, (int) label, className, source, r.pixels(), r.problem(), false);
  }

  /** The five {@link ImageRows} columns of a good row. */
  static Row image(Row decoded) {
    return RowFactory.create(
        decoded.getLong(0),
        decoded.getInt(1),
        decoded.getString(2),
        decoded.getString(3),
        decoded.get(4));
  }

  private static Row skipped(long id, String source, String problem) {
    return RowFactory.create(id, null, null, source, null, problem, false);
  }

  private static Row uncovered(long id, String source, String problem) {
    return RowFactory.create(id, null, null, source, null, problem, true);
  }
}
