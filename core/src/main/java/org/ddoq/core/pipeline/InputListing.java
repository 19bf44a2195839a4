package org.ddoq.core.pipeline;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Files, bytes and the newest modification time under an input folder: what says "the same input"
 * to the prior cache. Listed with {@code listStatus}, not {@code listFiles}: on the local file
 * system a {@code LocatedFileStatus} forks {@code ls -ld} per file when Hadoop's native library is
 * absent (25 s for 1,797 files). Each real folder is entered once, so a symbolic-link loop (a
 * folder linking to its parent) is not followed forever.
 */
record InputListing(long files, long bytes, long newest) {

  static InputListing of(FileSystem fs, Path root) throws IOException {
    long files = 0;
    long bytes = 0;
    long newest = 0;
    Set<String> entered = new HashSet<>();
    Deque<Path> folders = new ArrayDeque<>();
    FileStatus top = fs.getFileStatus(root);
    if (!top.isDirectory()) {
      return new InputListing(1, top.getLen(), top.getModificationTime());
    }
    entered.add(realName(fs, root));
    folders.push(root);
    while (!folders.isEmpty()) {
      for (FileStatus f : fs.listStatus(folders.pop())) {
        if (f.isDirectory()) {
          if (entered.add(realName(fs, f.getPath()))) {
            folders.push(f.getPath());
          }
        } else {
          files++;
          bytes += f.getLen();
          newest = Math.max(newest, f.getModificationTime());
        }
      }
    }
    return new InputListing(files, bytes, newest);
  }

  /** The folder's real path on a local file system (links resolved); elsewhere its own path. */
  private static String realName(FileSystem fs, Path p) throws IOException {
    if ("file".equals(fs.getUri().getScheme())) {
      return java.nio.file.Path.of(fs.makeQualified(p).toUri().getPath()).toRealPath().toString();
    }
    return fs.makeQualified(p).toString();
  }
}
