package org.ddoq.core.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.function.Function;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
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
    LOG.info("No prior given: training one on {}; it will be cached at {}", input, dir);
    Path tmp = root.resolve("priors").resolve(dir.getFileName() + ".tmp-" + UUID.randomUUID());
    boolean[] encoded = {false};
    try {
      Files.createDirectories(tmp);
      PriorTrainer.train(
          spark,
          input,
          data,
          training,
          tmp,
          priorDir -> {
            encoded[0] = true;
            return encode.apply(priorDir);
          });
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
      long files = 0;
      long bytes = 0;
      long newest = 0;
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
      while (it.hasNext()) {
        LocatedFileStatus f = it.next();
        files++;
        bytes += f.getLen();
        newest = Math.max(newest, f.getModificationTime());
      }
      id.append(files).append(' ').append(bytes).append(' ').append(newest).append('\n');
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
