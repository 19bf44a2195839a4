package org.ddoq.core.data;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The real folders a listing has entered, so that each is listed at most once: a symbolic link back
 * up the tree ({@code cat/loop -> ..}) would otherwise be followed until the path is too long, and
 * a second link to a folder would read its images twice. Hadoop's local file system follows links
 * and does not report them, so on it a folder is identified by its real path (java.nio's
 * toRealPath); HDFS and object stores have no links to follow, and their folders are identified by
 * their qualified path.
 */
final class VisitedFolders {
  private final FileSystem fs;
  private final boolean local;
  private final Set<String> seen = new HashSet<>();

  VisitedFolders(FileSystem fs) {
    this.fs = fs;
    this.local = fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem;
  }

  /** Records {@code dir}; false when its real folder was entered before (do not list it again). */
  boolean enter(Path dir) throws IOException {
    return seen.add(realPath(dir));
  }

  /** The folder {@code dir} really is, links resolved where the file system has them. */
  String realPath(Path dir) throws IOException {
    Path qualified = fs.makeQualified(dir);
    if (local) {
      // The decoded path: Path.of(URI) refuses the raw non-ASCII characters of names like "猫".
      return java.nio.file.Path.of(qualified.toUri().getPath()).toRealPath().toString();
    }
    return qualified.toString();
  }
}
