package org.ddoq.core.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.ImageDataset;
import org.ddoq.core.data.ImageRows;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.ImageSources;
import org.ddoq.core.data.InputException;
import org.ddoq.core.data.SpreadSample;
import org.ddoq.core.output.DistilledSetWriter;
import org.ddoq.core.prior.DitTraining;
import org.ddoq.core.prior.DitTrainingConfig;
import org.ddoq.core.prior.DitTrainingFacts;
import org.ddoq.core.prior.PriorModels;
import org.ddoq.core.prior.PriorSpec;
import org.ddoq.core.prior.VaeTraining;
import org.ddoq.core.prior.VaeTrainingConfig;
import org.ddoq.core.stage.LatentEncoder;
import org.ddoq.core.stage.LatentValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the built-in prior and writes a prior directory: the VAE on the driver with DJL (the
 * training images are collected), then, when asked, the DiT on the VAE's latents of the training
 * images (encoded on the executors). The reconstruction error is measured on the input's test split
 * when it has one, else on training images held back from training.
 *
 * <p>{@code new PriorTrainer(settings).run(spark)} is {@code ddoq train-prior}: an existing {@code
 * out} is refused in the constructor, before any work, unless it is a VAE-only prior whose DiT
 * training was interrupted, which {@code run} then resumes.
 */
public final class PriorTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(PriorTrainer.class);

  /** Images held back for the reconstruction error when the input has no test split. */
  static final int HELD_OUT = 1000;

  // Skipped inputs named in the warning; every one follows on a line of its own.
  private static final int SKIPPED_SHOWN = 5;

  /** Test-split images the reconstruction error is measured on. */
  static final int TEST_IMAGES = 2000;

  /**
   * One {@code train-prior} run.
   *
   * @param format auto, idx or folder
   * @param imageShape the shape folder images are resized to; null: the first image's
   * @param vaeFrom a built-in prior whose VAE is reused so that only the DiT is trained; null:
   *     train both
   */
  public record Settings(
      String input,
      Path out,
      String format,
      ImageShape imageShape,
      Path vaeFrom,
      PriorTraining training) {}

  private final Settings settings;
  private final PriorSpec unfinished;

  public PriorTrainer(Settings settings) {
    this.settings = settings;
    // A folder holding only a stopped VAE training's checkpoint is resumed by run, as a new one.
    this.unfinished =
        Files.exists(settings.out()) && !VaeTraining.stoppedIn(settings.out())
            ? unfinishedDit(settings.out(), settings.training())
            : null;
  }

  /** Trains what the settings ask for into {@code out} and returns the prior written. */
  public PriorSpec run(SparkSession spark) {
    Settings s = settings;
    // A prior inside its input would be read as a class of images by the next run on it.
    DistilledSetWriter.checkApart(spark, s.out().toString(), s.input(), "--input", false);
    if (unfinished != null) {
      LOG.info(
          "{} holds a VAE and a DiT checkpoint: resuming the DiT's training (its VAE is kept)",
          s.out());
      ImageDataset data =
          ImageSources.read(spark, s.input(), s.format(), "train", unfinished.imageShape());
      return trainDit(encoder(data), unfinished, s.training().dit(), s.out());
    }
    if (s.vaeFrom() != null) {
      if (s.training().dit() == null) {
        throw new InputException(
            "--vae-from trains only a DiT; --dit none leaves nothing to train");
      }
      PriorSpec vae = copyVae(s.vaeFrom(), s.out());
      ImageDataset data =
          ImageSources.read(spark, s.input(), s.format(), "train", vae.imageShape());
      return trainDit(encoder(data), vae, s.training().dit(), s.out());
    }
    ImageDataset data = ImageSources.read(spark, s.input(), s.format(), "train", s.imageShape());
    if (!data.skipped().isEmpty()) {
      LOG.warn("{}", data.skippedLine(SKIPPED_SHOWN, "the lines that follow"));
      data.skipped().forEach(k -> LOG.info("skipped {} ({})", k.source(), k.reason()));
    }
    return train(spark, s.input(), data, s.training(), s.out(), encoder(data));
  }

  /**
   * Trains the VAE into {@code out}, then, when asked, the DiT on the latents that {@code encode}
   * gives for the VAE prior at a directory (rows with {@code label} and {@code latent}, in the
   * data's order).
   */
  public static PriorSpec train(
      SparkSession spark,
      String input,
      ImageDataset data,
      PriorTraining training,
      Path out,
      Function<String, Dataset<Row>> encode) {
    PriorSpec finished = finishedVae(out);
    PriorSpec vae = finished != null ? finished : trainVae(spark, input, data, training.vae(), out);
    return training.dit() == null ? vae : trainDit(encode, vae, training.dit(), out);
  }

  /**
   * The VAE-only prior in {@code out} when a stopped training left one (the prior cache resumes
   * into the same folder): its VAE is finished, only the DiT is left. Null otherwise.
   */
  private static PriorSpec finishedVae(Path out) {
    if (!Files.exists(out.resolve(PriorSpec.FILE_NAME))) {
      return null;
    }
    PriorSpec spec = PriorSpec.read(out);
    return PriorSpec.TYPE_VAE.equals(spec.type()) && !spec.hasDenoiser() ? spec : null;
  }

  /**
   * Encodes every training image with the prior at a directory, at the encoder's default batch
   * size.
   */
  static Function<String, Dataset<Row>> encoder(ImageDataset data) {
    return priorDir -> new LatentEncoder().setPriorPath(priorDir).transform(data.rows());
  }

  /**
   * The VAE-only prior in an existing {@code out} whose DiT training was interrupted (it holds the
   * DiT's checkpoint), so that running the same command again resumes it; anything else in the way
   * is refused before any work, since train-prior never overwrites a prior.
   */
  static PriorSpec unfinishedDit(Path out, PriorTraining training) {
    if (!Files.exists(out.resolve(PriorSpec.FILE_NAME))) {
      throw new InputException(
          "--out " + out + " already exists and is not a prior directory; choose a new --out");
    }
    PriorSpec spec = PriorSpec.read(out);
    if (spec.hasDenoiser()) {
      throw new InputException(
          "prior directory " + out + " is finished (it has a DiT); choose a new --out");
    }
    if (!Files.exists(out.resolve(DitTrainingFacts.CHECKPOINT_FILE)) || training.dit() == null) {
      throw new InputException(
          "prior directory "
              + out
              + " already holds a VAE-only prior; to add a DiT to it,"
              + " run train-prior --vae-from "
              + out
              + " --out NEW_DIR");
    }
    return spec;
  }

  /**
   * A prior in {@code out} made of {@code vaeFrom}'s VAE (copied byte for byte) and a DiT trained
   * on its latents: what the prior cache does when a DiT is asked for on an input whose VAE is
   * cached.
   */
  static PriorSpec addDit(
      Path vaeFrom, Path out, DitTrainingConfig dit, Function<String, Dataset<Row>> encode) {
    return trainDit(encode, copyVae(vaeFrom, out), dit, out);
  }

  /** Copies a built-in prior's VAE (weights + prior.json) into a new directory {@code out}. */
  static PriorSpec copyVae(Path from, Path out) {
    PriorSpec source = PriorSpec.read(from);
    if (!PriorSpec.TYPE_VAE.equals(source.type())) {
      throw new InputException(
          "--vae-from "
              + from
              + " is a '"
              + source.type()
              + "' prior; it must be a built-in"
              + " (vae) prior written by train-prior");
    }
    // Only the VAE comes along: the new prior.json names no DiT until the new one is trained.
    PriorSpec spec =
        new PriorSpec(
            source.type(),
            source.imageShape(),
            source.latentShape(),
            source.scaleFactor(),
            source.classNames(),
            source.pixelNormalization(),
            Map.of(PriorSpec.ROLE_VAE, source.files().get(PriorSpec.ROLE_VAE)),
            source.architecture(),
            source.training(),
            source.reconstructionMse(),
            null);
    try {
      Files.createDirectories(out);
      Path weights = source.file(from, PriorSpec.ROLE_VAE);
      Files.copy(weights, out.resolve(weights.getFileName()));
    } catch (IOException e) {
      throw new UncheckedIOException("could not copy the VAE of " + from + " to " + out, e);
    }
    spec.write(out);
    LOG.info(
        "Reusing the VAE of {} (held-out MSE {}); training only the DiT",
        from,
        spec.reconstructionMse());
    return spec;
  }

  /** Trains the DiT on the VAE's latents of the training images (encoded on the executors). */
  private static PriorSpec trainDit(
      Function<String, Dataset<Row>> encode, PriorSpec vae, DitTrainingConfig config, Path out) {
    PriorModels.forget(out.toString());
    List<Row> rows = encode.apply(out.toString()).select(ImageRows.LABEL, "latent").collectAsList();
    float[][] latents = new float[rows.size()][];
    int[] labels = new int[rows.size()];
    for (int i = 0; i < latents.length; i++) {
      labels[i] = rows.get(i).getInt(0);
      latents[i] = LatentValues.floats(rows.get(i).get(1));
    }
    LOG.info("Training the {} DiT on {} latents", config.model(), latents.length);
    PriorSpec withDit =
        DitTraining.train(latents, labels, vae, out, config, line -> LOG.info("dit: {}", line));
    // The VAE-only prior loaded for encoding is stale now that prior.json names a DiT.
    PriorModels.forget(out.toString());
    return withDit;
  }

  private static PriorSpec trainVae(
      SparkSession spark, String input, ImageDataset data, VaeTrainingConfig training, Path out) {
    byte[][] heldOut = testImages(spark, input, data);
    int limit = training.maxTrainImages() + (heldOut == null ? HELD_OUT : 0);
    // Spread, not the first ones: a capped training set or a held-back tail must not be a few
    // classes only.
    List<Row> rows =
        SpreadSample.take(data.rows(), limit, training.seed())
            .select(ImageRows.IMAGE)
            .collectAsList();
    if (heldOut == null) {
      int keep = Math.min(HELD_OUT, rows.size() / 10);
      heldOut = toBytes(rows.subList(rows.size() - keep, rows.size()));
      rows = rows.subList(0, rows.size() - keep);
      LOG.info(
          "No test split in {}: holding back {} training images to measure reconstruction",
          input,
          keep);
    }
    byte[][] train = toBytes(rows);
    if (train.length == 0) {
      throw new InputException("no training images in " + input + ": cannot train a prior");
    }
    LOG.info(
        "Training the VAE prior on {} images ({}), {} held out",
        train.length,
        data.shape(),
        heldOut.length);
    return VaeTraining.train(
        train,
        heldOut,
        data.shape(),
        data.classNames(),
        training,
        out,
        line -> LOG.info("prior: {}", line));
  }

  private static byte[][] testImages(SparkSession spark, String input, ImageDataset data) {
    try {
      ImageDataset test = ImageSources.read(spark, input, data.format(), "test", data.shape());
      // 2,000 spread over the split: the first 2,000 of a class-ordered folder are one or two
      // classes.
      return toBytes(
          SpreadSample.take(test.rows(), TEST_IMAGES, 0).select(ImageRows.IMAGE).collectAsList());
    } catch (InputException e) {
      return null;
    }
  }

  private static byte[][] toBytes(List<Row> rows) {
    byte[][] out = new byte[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte[]) rows.get(i).get(0);
    }
    return out;
  }
}
