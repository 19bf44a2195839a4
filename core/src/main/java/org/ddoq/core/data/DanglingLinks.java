package org.ddoq.core.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Symbolic links whose target does not exist. Hadoop's local file system leaves them out of a
 * listing without a word, so images behind a broken link would vanish silently; listing them lets
 * the reader name them. Other file systems have no such links.
 */
final class DanglingLinks {
  private DanglingLinks() {}

  /** The dangling links directly in {@code dir}, as skipped inputs with what to do. */
  static List<ImageDataset.Skipped> in(FileSystem fs, Path dir) throws IOException {
    List<ImageDataset.Skipped> found = new ArrayList<>();
    if (!(fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem)) {
      return found;
    }
    java.nio.file.Path local = java.nio.file.Path.of(fs.makeQualified(dir).toUri().getPath());
    try (DirectoryStream<java.nio.file.Path> links =
        Files.newDirectoryStream(local, p -> Files.isSymbolicLink(p) && !Files.exists(p))) {
      for (java.nio.file.Path link : links) {
        found.add(
            new ImageDataset.Skipped(
                new Path(dir, link.getFileName().toString()).toString(),
                "ignored: a symbolic link to "
                    + Files.readSymbolicLink(link)
                    + ", which does not exist; restore its target or remove the link"));
      }
    }
    return found;
  }
}
