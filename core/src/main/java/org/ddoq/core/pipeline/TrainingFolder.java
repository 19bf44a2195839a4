package org.ddoq.core.pipeline;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The folder a cached prior is trained into before it is moved into place: {@code <key>.partial},
 * where a killed training left its checkpoints (the VAE's after each epoch, the DiT's), so the next
 * training of the same key continues from them. A run holds the folder with a file lock, which the
 * operating system lets go of when the process dies however it dies; a second run that finds the
 * lock held (a training still running) trains into a fresh {@code <key>.tmp-<uuid>} instead.
 */
final class TrainingFolder implements AutoCloseable {
  static final String SUFFIX = ".partial";
  private static final String LOCK = ".lock";

  private final Path path;
  private final FileChannel channel;
  private final FileLock lock;

  private TrainingFolder(Path path, FileChannel channel, FileLock lock) {
    this.path = path;
    this.channel = channel;
    this.lock = lock;
  }

  /** {@code <key>.partial} when no live run holds it, else a new temporary folder. */
  static TrainingFolder claim(Path priors, String key) throws IOException {
    Path partial = priors.resolve(key + SUFFIX);
    if (Files.isSymbolicLink(partial)) {
      // The link an earlier finished training left to its cache entry (PriorCache.keepReachable).
      Files.delete(partial);
    }
    Files.createDirectories(partial);
    FileChannel channel =
        FileChannel.open(
            partial.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = tryLock(channel);
    if (lock != null) {
      return new TrainingFolder(partial, channel, lock);
    }
    channel.close();
    Path tmp = priors.resolve(key + ".tmp-" + UUID.randomUUID());
    Files.createDirectories(tmp);
    return new TrainingFolder(tmp, null, null);
  }

  /** Whether a live run holds {@code partial} (so it must not be removed). */
  static boolean held(Path partial) {
    Path file = partial.resolve(LOCK);
    if (!Files.exists(file)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      FileLock lock = tryLock(channel);
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  Path path() {
    return path;
  }

  /** Whether a stopped training left anything here to continue from. */
  boolean holdsStoppedTraining() throws IOException {
    try (var entries = Files.list(path)) {
      return entries.anyMatch(p -> !p.getFileName().toString().equals(LOCK));
    }
  }

  /**
   * Lets go of the folder (its lock file removed), before it is moved into the cache; again (the
   * try-with-resources after the move) does nothing.
   */
  @Override
  public void close() throws IOException {
    if (lock != null && channel.isOpen()) {
      Files.deleteIfExists(path.resolve(LOCK));
      lock.release();
      channel.close();
    }
  }

  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      // This JVM holds it: another distill of the same input running beside this one.
      return null;
    }
  }
}
