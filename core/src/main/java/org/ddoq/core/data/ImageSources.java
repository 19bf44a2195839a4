package org.ddoq.core.data;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The one entry point for reading a labelled image set: picks the reader from the format or, for
 * "auto", from what is in the directory.
 *
 * <p>Auto-detection, first rule that applies:
 *
 * <ol>
 *   <li>DIR holds IDX files ({@code *-idx3-ubyte[.gz]} ...): {@link IdxReader};
 *   <li>DIR holds Parquet files in one of {@link ParquetImageReader}'s layouts ({@code
 *       DIR/<split>/*.parquet}, {@code DIR/data/<split>-*.parquet}, {@code DIR/*.parquet}): {@link
 *       ParquetImageReader};
 *   <li>DIR/&lt;split&gt;/ is a folder: {@link ImageFolderReader} on it ({@code
 *       DIR/train/<class>/}, {@code DIR/test/<class>/});
 *   <li>split "train": {@link ImageFolderReader} on DIR itself ({@code DIR/<class>/}); split "test"
 *       has no such fallback and is refused.
 * </ol>
 *
 * "folder" applies rules 3 and 4; "idx" and "parquet" use their reader without looking.
 */
public final class ImageSources {
  private ImageSources() {}

  /**
   * @param dir the input directory, any Hadoop path (local, hdfs://, s3a://)
   * @param format "idx", "folder", "parquet" or "auto"
   * @param split "train" or "test"
   * @param targetOrNull shape to convert every image to; null keeps IDX images as they are and
   *     takes a folder's or a Parquet table's shape from its first image
   * @throws InputException when the path, the format, the split or the files are wrong (message
   *     says how)
   */
  public static ImageDataset read(
      SparkSession spark, String dir, String format, String split, ImageShape targetOrNull) {
    if (!"train".equals(split) && !"test".equals(split)) {
      throw new InputException("split must be 'train' or 'test', got '" + split + "'");
    }
    String fmt = format == null ? "auto" : format.toLowerCase(Locale.ROOT);
    if (!List.of("idx", "folder", "parquet", "auto").contains(fmt)) {
      throw new InputException(
          "format must be 'idx', 'folder', 'parquet' or 'auto', got '" + format + "'");
    }
    try {
      Path root = new Path(dir);
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(root)) {
        throw new InputException(
            "input path "
                + dir
                + " does not exist; check the path (local, hdfs:// or"
                + " s3a://) and that the driver can read it");
      }
      if (fmt.equals("idx") || (fmt.equals("auto") && IdxReader.hasIdxFiles(fs, root))) {
        return IdxReader.read(spark, dir, split, targetOrNull);
      }
      if (fmt.equals("parquet")
          || (fmt.equals("auto") && ParquetImageReader.holdsParquet(fs, root))) {
        return ParquetImageReader.read(spark, dir, split, targetOrNull);
      }
      Path splitDir = new Path(root, split);
      if (fs.isDirectory(splitDir)) {
        return ImageFolderReader.read(spark, splitDir.toString(), targetOrNull);
      }
      if (split.equals("test")) {
        throw new InputException(
            dir
                + " has no test split: expected "
                + new Path(root, "test")
                + "/<class>/<images>"
                + " or IDX files t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]; add them or skip the test split");
      }
      if (fs.isDirectory(new Path(root, "test"))) {
        // DIR/test without DIR/train: reading DIR would make "test" a class.
        throw new InputException(
            dir
                + " has a test/ folder but no train/ folder; put the training images in "
                + new Path(root, "train")
                + "/<class>/");
      }
      return ImageFolderReader.read(spark, dir, targetOrNull);
    } catch (IOException e) {
      throw StorageErrors.explain(dir, "reading", e);
    }
  }
}
