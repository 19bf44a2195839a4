package org.ddoq.core.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Where a set's files are written so that OUT never shows half a set: on file systems that rename
 * (local, HDFS) under {@code OUT/_run/staging/}, moved into OUT once all are there, then {@code
 * _run} removed and {@code _SUCCESS} written. Object stores (s3a, gs, ...) copy on rename, so there
 * the files are written in place and {@code _SUCCESS}, written last, stays the contract.
 */
public final class StagedOutput {
  /** The folder of a run's temporary files inside OUT. */
  public static final String RUN_DIR = "_run";

  // Schemes whose rename is a metadata operation.
  private static final Set<String> RENAMING = Set.of("file", "hdfs", "viewfs");

  private final FileSystem fs;
  private final Path out;
  private final Set<String> kept;

  /**
   * @param kept names in OUT that are not part of what is staged and stay (e.g. "latents")
   */
  public StagedOutput(FileSystem fs, String out, Set<String> kept) {
    this.fs = fs;
    this.out = new Path(out);
    this.kept = kept;
  }

  /** For {@code out} on the session's file systems. */
  public static StagedOutput of(SparkSession spark, String out, Set<String> kept) {
    try {
      return new StagedOutput(
          new Path(out).getFileSystem(spark.sparkContext().hadoopConfiguration()), out, kept);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + out + ": " + e.getMessage(), e);
    }
  }

  /**
   * The folder to write the files to, cleared of what a stopped run wrote: {@code _run/staging}
   * where files can be renamed, else OUT itself.
   */
  public String folder() {
    try {
      if (renames()) {
        Path staging = staging();
        delete(staging);
        return staging.toString();
      }
      if (fs.exists(out)) {
        for (FileStatus f : fs.listStatus(out)) {
          String name = f.getPath().getName();
          if (!name.equals(RUN_DIR) && !kept.contains(name)) {
            delete(f.getPath());
          }
        }
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + out + ": " + e.getMessage(), e);
    }
  }

  /** Moves the staged files into OUT, removes {@code _run}, and writes _SUCCESS last. */
  public void publish() {
    try {
      if (renames()) {
        for (FileStatus f : fs.listStatus(staging())) {
          Path target = new Path(out, f.getPath().getName());
          delete(target);
          if (!fs.rename(f.getPath(), target)) {
            throw new IOException("could not move " + f.getPath() + " to " + target);
          }
        }
      }
      delete(new Path(out, RUN_DIR));
      DistilledSetWriter.writeText(fs, new Path(out, DistilledSetWriter.SUCCESS), "");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "writing " + out + " failed (it has no " + DistilledSetWriter.SUCCESS + "): " + e, e);
    }
  }

  private Path staging() {
    return new Path(new Path(out, RUN_DIR), "staging");
  }

  private boolean renames() {
    return RENAMING.contains(fs.getUri().getScheme());
  }

  private void delete(Path path) throws IOException {
    if (fs.exists(path) && !fs.delete(path, true)) {
      throw new IOException("could not delete " + path);
    }
  }
}
