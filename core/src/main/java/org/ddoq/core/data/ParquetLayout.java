package org.ddoq.core.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where a split's Parquet files are in a directory (the driver lists, it reads nothing). Rules,
 * first that finds a file:
 *
 * <ol>
 *   <li>{@code DIR/<split>/*.parquet} (what Spark's {@code df.write().parquet(DIR/train)} leaves);
 *   <li>{@code DIR/data/<split>-*.parquet}, the Hugging Face hub layout ({@code
 *       data/train-00000-of-00002.parquet});
 *   <li>{@code DIR/<split>-*.parquet} or {@code DIR/<split>.parquet}, the same files without {@code
 *       data/};
 *   <li>split "train" only: every {@code DIR/*.parquet}, refused when some are named for another
 *       split ({@code test-*}), since reading them would train on the test images.
 * </ol>
 *
 * Files are sorted by name; names starting with "." or "_" (Spark's {@code _SUCCESS}, checksum
 * files) are never data.
 */
final class ParquetLayout {
  private ParquetLayout() {}

  /** The split's files sorted by name; empty when no rule finds one. */
  static List<Path> find(FileSystem fs, Path root, String split) throws IOException {
    List<Path> files = parquetFiles(fs, new Path(root, split), "");
    if (files.isEmpty()) {
      files = parquetFiles(fs, new Path(root, "data"), split + "-");
    }
    if (files.isEmpty()) {
      files = parquetFiles(fs, root, split + "-");
      Path single = new Path(root, split + ".parquet");
      if (files.isEmpty() && fs.isFile(single)) {
        files = List.of(single);
      }
    }
    if (files.isEmpty() && split.equals("train")) {
      files = parquetFiles(fs, root, "");
      List<String> otherSplit =
          files.stream()
              .map(Path::getName)
              .filter(n -> n.startsWith("test-") || n.equals("test.parquet"))
              .toList();
      if (!otherSplit.isEmpty()) {
        throw new InputException(
            root
                + " mixes test files ("
                + otherSplit.get(0)
                + ") with files named for no split; name the training files train-*.parquet or"
                + " move them to "
                + new Path(root, "train")
                + "/");
      }
    }
    return files;
  }

  /** True when any rule finds Parquet files for some split: auto-detection's test. */
  static boolean holdsParquet(FileSystem fs, Path root) throws IOException {
    if (!fs.isDirectory(root)) {
      return false;
    }
    for (String dir : List.of("", "data", "train", "test")) {
      if (!parquetFiles(fs, dir.isEmpty() ? root : new Path(root, dir), "").isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** The layouts a split may have, for the message when none is found. */
  static String expected(Path root, String split) {
    String layouts =
        new Path(root, split)
            + "/*.parquet, "
            + new Path(root, "data")
            + "/"
            + split
            + "-*.parquet (the Hugging Face hub layout) or "
            + root
            + "/"
            + split
            + "-*.parquet";
    return split.equals("train") ? layouts + ", or " + root + "/*.parquet" : layouts;
  }

  private static List<Path> parquetFiles(FileSystem fs, Path dir, String prefix)
      throws IOException {
    if (!fs.isDirectory(dir)) {
      return List.of();
    }
    List<Path> files = new ArrayList<>();
    for (FileStatus status : fs.listStatus(dir)) {
      String name = status.getPath().getName();
      if (status.isFile()
          && name.endsWith(".parquet")
          && name.startsWith(prefix)
          && !name.startsWith(".")
          && !name.startsWith("_")) {
        files.add(status.getPath());
      }
    }
    files.sort(Comparator.comparing(Path::getName));
    return files;
  }
}
