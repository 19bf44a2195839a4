package org.ddoq.core.output;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Creates an output file, replacing one that is there. On the local file system it is written with
 * java.nio: Hadoop's local file system sets every new file's and folder's permission by forking
 * {@code chmod} when Hadoop's native library is absent (as in Spark's distribution), ~19 forks per
 * file with its .crc companion; 10,000 PNGs of a 1,000-class set took 152 s to write that way
 * (docs/benchmarks.md). Other file systems (HDFS, s3a) get {@link FileSystem#create(Path,
 * boolean)}.
 */
public final class OutputFiles {
  private OutputFiles() {}

  /** A new stream for {@code path}; parent folders are made as needed. */
  public static OutputStream create(FileSystem fs, Path path) throws IOException {
    if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
      // The URI's decoded path: Path.of(URI) refuses a raw non-ASCII character ("Bad escape"),
      // which Hadoop's URI of a class folder named e.g. "猫" holds.
      java.nio.file.Path local = java.nio.file.Path.of(fs.makeQualified(path).toUri().getPath());
      Files.createDirectories(local.getParent());
      return new BufferedOutputStream(Files.newOutputStream(local));
    }
    return fs.create(path, true);
  }
}
