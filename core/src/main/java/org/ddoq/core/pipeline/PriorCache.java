package org.ddoq.core.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.function.Function;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.ImageDataset;
import org.ddoq.core.prior.PriorSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Priors trained for an input without {@code --prior}, kept so the next run on the same input skips
 * training. One directory per (input contents, image shape, training settings) under {@code
 * <cache-dir>/priors/}; the default root is {@code $DDOQ_CACHE_DIR} or {@code ~/.cache/ddoq}. A
 * prior is trained into a temporary directory and renamed into place, so a killed run never leaves
 * a half-written prior that a later run would trust.
 */
public final class PriorCache {
  private static final Logger LOG = LoggerFactory.getLogger(PriorCache.class);

  /** The prior to use, and whether this run trained it. */
  public record Entry(Path dir, boolean trained) {}

  private PriorCache() {}

  public static Path defaultRoot() {
    String env = System.getenv("DDOQ_CACHE_DIR");
    return env != null && !env.isBlank()
        ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".cache", "ddoq");
  }

  /**
   * The cached prior for this input and training, trained now when there is none.
   *
   * @param encode as {@link PriorTrainer#train}: gives the latents the DiT is trained on
   */
  public static Entry resolve(
      SparkSession spark,
      Path root,
      String input,
      ImageDataset data,
      PriorTraining training,
      Function<String, Dataset<Row>> encode) {
    Path dir = root.resolve("priors").resolve(key(spark, input, data, training));
    if (Files.exists(dir.resolve(PriorSpec.FILE_NAME))) {
      LOG.info(
          "Using the cached prior {} (trained earlier on this input; delete it to retrain)", dir);
      return new Entry(dir, false);
    }
    // A DiT asked for on an input whose VAE-only prior is cached: that VAE is reused (its training
    // took most of the prior's time) and only the DiT is trained.
    Path vaeOnly =
        training.dit() == null
            ? null
            : root.resolve("priors").resolve(key(spark, input, data, training.withoutDit()));
    if (vaeOnly != null && !Files.exists(vaeOnly.resolve(PriorSpec.FILE_NAME))) {
      vaeOnly = null;
    }
    LOG.info("No prior given: training one on {}; it will be cached at {}", input, dir);
    removeOrphans(root.resolve("priors"), Instant.now().minus(ORPHAN_AGE));
    boolean[] encoded = {false};
    Path tmp = null;
    try (TrainingFolder folder =
        TrainingFolder.claim(root.resolve("priors"), dir.getFileName().toString())) {
      tmp = folder.path();
      if (folder.holdsStoppedTraining()) {
        LOG.info("Continuing the prior training a stopped run left in {}", tmp);
      }
      Function<String, Dataset<Row>> encodeOnce =
          priorDir -> {
            encoded[0] = true;
            return encode.apply(priorDir);
          };
      if (vaeOnly != null) {
        PriorTrainer.addDit(vaeOnly, tmp, training.dit(), encodeOnce);
      } else {
        PriorTrainer.train(spark, input, data, training, tmp, encodeOnce);
      }
      folder.close();
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      if (encoded[0]) {
        keepReachable(tmp, dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the prior cache under "
              + root
              + " (set --cache-dir or DDOQ_CACHE_DIR): "
              + e.getMessage(),
          e);
    }
    return new Entry(dir, true);
  }

  /** A temporary entry this old belongs to a training that was killed: no run still writes it. */
  static final Duration ORPHAN_AGE = Duration.ofDays(1);

  /**
   * Removes the temporary entries ({@code <key>.tmp-<uuid>}, {@code <key>.partial}) of trainings
   * killed before they finished, last modified before {@code before}; younger ones may belong to a
   * running training or be continued by the next one, and a held {@code .partial} is in use.
   */
  static void removeOrphans(Path priors, Instant before) {
    if (!Files.isDirectory(priors)) {
      return;
    }
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(priors, "*{.tmp-*," + TrainingFolder.SUFFIX + "}")) {
      for (Path tmp : entries) {
        FileTime modified = Files.getLastModifiedTime(tmp, LinkOption.NOFOLLOW_LINKS);
        if (modified.toInstant().isBefore(before)
            && !(Files.isDirectory(tmp, LinkOption.NOFOLLOW_LINKS) && TrainingFolder.held(tmp))) {
          LOG.info("Removing {}, left by a prior training stopped on {}", tmp, modified);
          deleteTree(tmp);
        }
      }
    } catch (IOException e) {
      LOG.warn("could not clean the prior cache {}: {}", priors, e.toString());
    }
  }

  /** Deletes a folder and what is in it, without following links (a link goes, not its target). */
  private static void deleteTree(Path top) throws IOException {
    if (Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> children = Files.newDirectoryStream(top)) {
        for (Path child : children) {
          deleteTree(child);
        }
      }
    }
    Files.delete(top);
  }

  /**
   * Latents encoded while training name {@code tmp} in their Spark lineage, and a caller may keep
   * using them (distill quantizes them rather than encoding twice): should Spark recompute a lost
   * partition, a link from the old name finds the prior. The link goes when the JVM exits. Without
   * one (a file system without links) the run goes on: only a lost partition would then fail.
   */
  private static void keepReachable(Path tmp, Path dir) {
    try {
      Files.createSymbolicLink(tmp, dir.getFileName());
      tmp.toFile().deleteOnExit();
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn(
          "could not link {} to the cached prior {} ({}); a lost partition of the latents cannot be"
              + " encoded again",
          tmp,
          dir,
          e.toString());
    }
  }

  /**
   * What identifies "the same input": where it is, what its files are, how it was read, how the
   * prior is trained.
   */
  private static String key(
      SparkSession spark, String input, ImageDataset data, PriorTraining training) {
    StringBuilder id = new StringBuilder();
    try {
      org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(input);
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      id.append(fs.makeQualified(root)).append('\n');
      InputListing listed = InputListing.of(fs, root);
      id.append(listed.files())
          .append(' ')
          .append(listed.bytes())
          .append(' ')
          .append(listed.newest())
          .append('\n');
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + input + ": " + e.getMessage(), e);
    }
    id.append(data.format())
        .append(' ')
        .append(data.shape())
        .append(' ')
        .append(data.classNames())
        .append('\n');
    id.append(training);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(id.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
