package org.ddoq.core.output;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.ddoq.core.data.InputException;

/**
 * Checks on an output folder made before any data is read, so that a run that cannot finish stops
 * in seconds instead of after reading, encoding and k-means: the output is apart from the input it
 * is computed from, and it can be written.
 */
final class OutputTarget {
  private OutputTarget() {}

  /**
   * Refuses an {@code out} that is {@code input}, holds it (replacing it would delete the input),
   * or, unless {@code insideAllowed}, lies inside it (the next run on that input would read the
   * output as data). Local paths are compared with links resolved.
   *
   * @param inputOption how the user named the input, e.g. "--input"
   */
  static void checkApart(
      FileSystem inFs,
      Path input,
      String inputOption,
      FileSystem outFs,
      Path out,
      boolean insideAllowed)
      throws IOException {
    String in = comparable(inFs, input);
    String o = comparable(outFs, out);
    if (o.equals(in)) {
      throw new InputException(
          "--out "
              + out
              + " is the "
              + inputOption
              + " folder itself; choose another --out (with --overwrite it would delete the"
              + " input)");
    }
    if (in.startsWith(o + "/")) {
      throw new InputException(
          inputOption
              + " "
              + input
              + " lies inside --out "
              + out
              + "; choose an --out that does not hold the input (--overwrite would delete it)");
    }
    if (!insideAllowed && o.startsWith(in + "/")) {
      throw new InputException(
          "--out "
              + out
              + " lies inside "
              + inputOption
              + " "
              + input
              + ", so the next run on that input would read the distilled images as data; choose"
              + " an --out outside it");
    }
  }

  /**
   * Creates and deletes a file in {@code out} (and the folders it needs, deleted again), so that a
   * folder that cannot be written is found now; {@code out} does not exist afterwards.
   */
  static void probeWritable(FileSystem fs, Path out) {
    List<Path> made = new ArrayList<>();
    try {
      for (Path p = out; p != null && !fs.exists(p); p = p.getParent()) {
        made.add(p);
      }
      Path probe = new Path(out, "_write-probe-" + UUID.randomUUID());
      try (OutputStream stream = OutputFiles.create(fs, probe)) {
        stream.write(0);
      }
      fs.delete(probe, false);
      for (Path p : made) {
        fs.delete(p, false);
      }
    } catch (IOException | RuntimeException e) {
      throw new InputException(
          "cannot write to --out "
              + out
              + " ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + "); choose a folder you can write to, or fix its permissions",
          e);
    }
  }

  /** The path as a string that is equal for the same folder: local links resolved. */
  private static String comparable(FileSystem fs, Path path) throws IOException {
    Path qualified = fs.makeQualified(path);
    if (!(fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem)) {
      return qualified.toString().replaceAll("/+$", "");
    }
    java.nio.file.Path local = java.nio.file.Path.of(qualified.toUri().getPath()).normalize();
    java.nio.file.Path existing = local;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    java.nio.file.Path real =
        existing == null ? local : existing.toRealPath().resolve(existing.relativize(local));
    return "file:" + real.toString().replaceAll("/+$", "");
  }
}
