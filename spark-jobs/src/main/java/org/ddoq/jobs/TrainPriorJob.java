package org.ddoq.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.ImageDataset;
import org.ddoq.core.data.ImageRows;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.ImageSources;
import org.ddoq.core.data.SpreadSample;
import org.ddoq.core.data.InputException;
import org.apache.spark.ml.linalg.Vector;
import org.ddoq.core.prior.DitTraining;
import org.ddoq.core.prior.DitPrediction;
import org.ddoq.core.prior.DitTrainingConfig;
import org.ddoq.core.prior.DitTrainingFacts;
import org.ddoq.core.prior.PriorModels;
import org.ddoq.core.prior.PriorSpec;
import org.ddoq.core.stage.LatentEncoder;
import org.ddoq.core.prior.VaeTraining;
import org.ddoq.core.prior.VaeTrainingConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ddoq train-prior}: trains the built-in VAE on the driver with DJL and writes a prior directory.
 * The reconstruction error is measured on the input's test split when it has one, else on training
 * images held back from training.
 */
public final class TrainPriorJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainPriorJob.class);
  /** Images held back for the reconstruction error when the input has no test split. */
  static final int HELD_OUT = 1000;
  /** Test-split images the reconstruction error is measured on. */
  static final int TEST_IMAGES = 2000;

  private TrainPriorJob() {}

  /** Adds the prior-training options (shared with distill, which trains a prior when none is given). */
  static Options withTrainingOptions(Options o) {
    VaeTrainingConfig d = VaeTrainingConfig.defaults();
    return o.option("prior-epochs", "N", String.valueOf(d.epochs()), "VAE training epochs")
        .option("prior-batch-size", "N", String.valueOf(d.batchSize()), "VAE training batch size")
        .option("prior-learning-rate", "LR", String.valueOf(d.learningRate()), "VAE Adam learning rate")
        .option("prior-max-images", "N", String.valueOf(d.maxTrainImages()), "train the VAE on at most this many images")
        .option("prior-seed", "S", String.valueOf(d.seed()), "VAE initialisation and sampling seed")
        .option("prior-threads", "N", String.valueOf(d.threads()),
            "PyTorch threads while training the VAE (0: the engine's default; 1 stays fast when other jobs run)")
        .option("dit", "tiny|small|none", "tiny", "the diffusion transformer trained on the latents (none: VAE only)")
        .option("dit-epochs", "N", String.valueOf(DitTrainingConfig.defaults().epochs()), "DiT training epochs")
        .option("dit-batch-size", "N", String.valueOf(DitTrainingConfig.defaults().batchSize()), "DiT training batch size")
        .option("dit-learning-rate", "LR", String.valueOf(DitTrainingConfig.defaults().learningRate()),
            "DiT Adam learning rate (after a 500-step warm-up)")
        .option("dit-ema", "DECAY", String.valueOf(DitTrainingConfig.defaults().emaDecay()),
            "the prior keeps this moving average of the DiT's weights (0: the last step's)")
        .option("dit-prediction", "v|epsilon", DitTrainingConfig.defaults().prediction().cliName(),
            "what the DiT learns to predict (v: well-conditioned x0 at high noise; epsilon: DiT's original)")
        .option("dit-threads", "N", String.valueOf(DitTrainingConfig.defaults().threads()),
            "PyTorch threads while training the DiT (0: the engine's default)");
  }

  /** The prior's training settings: the defaults with what the command line changed. */
  static PriorTraining training(Options o) {
    String dit = o.oneOf("dit", "tiny", "small", "none");
    DitTrainingConfig ditConfig = dit.equals("none") ? null
        : DitTrainingConfig.defaults().withModel(dit).withEpochs(o.integer("dit-epochs", 1))
            .withBatchSize(o.integer("dit-batch-size", 1)).withThreads(o.integer("dit-threads", 0))
            .withLearningRate(o.number("dit-learning-rate", Double.MIN_VALUE, 1))
            .withEmaDecay(o.number("dit-ema", 0, 0.99999))
            .withPrediction(DitPrediction.parse(o.oneOf("dit-prediction", "v", "epsilon")));
    return new PriorTraining(vaeTraining(o), ditConfig);
  }

  private static VaeTrainingConfig vaeTraining(Options o) {
    double lr;
    try {
      lr = Double.parseDouble(o.required("prior-learning-rate"));
    } catch (NumberFormatException e) {
      throw new InputException("--prior-learning-rate must be a number, got '" + o.get("prior-learning-rate") + "'");
    }
    VaeTrainingConfig d = VaeTrainingConfig.defaults();
    return new VaeTrainingConfig(o.integer("prior-epochs", 1), o.integer("prior-batch-size", 1), lr,
        o.integer("prior-max-images", 1), o.longValue("prior-seed"), d.beta(), d.width(),
        o.integer("prior-threads", 0));
  }

  public static void main(String[] args) {
    Options o = withTrainingOptions(new Options("train-prior")
        .option("input", "DIR", null, "labelled images: a directory of IDX files or an ImageFolder tree")
        .option("out", "PRIOR", null, "prior directory to write (must not exist)")
        .option("format", "auto|idx|folder", "auto", "input layout")
        .option("image-size", "CxHxW", null, "resize folder images to this shape (default: the first image's)")
        .option("vae-from", "PRIOR", null, "reuse the VAE of this built-in prior and train only the DiT (e.g. another DiT size)")
        .option("master", "URL", null, "Spark master (default: spark-submit's, else local[*])"));
    if (List.of(args).contains("--help")) {
      System.out.println(o.usage());
      return;
    }
    o.parse(args);
    Path out = Path.of(o.required("out"));
    String input = o.required("input");
    String format = o.oneOf("format", "auto", "idx", "folder");
    ImageShape shape = o.get("image-size") == null ? null : ImageShape.parse(o.get("image-size"));
    PriorTraining training = training(o);
    PriorSpec unfinished = Files.exists(out) ? unfinishedDit(out, training) : null;
    try (Sessions session = Sessions.create("ddoq train-prior", o.get("master"))) {
      SparkSession spark = session.spark();
      PriorSpec spec;
      if (unfinished != null) {
        LOG.info("{} holds a VAE and a DiT checkpoint: resuming the DiT's training (its VAE is kept)", out);
        ImageDataset data = ImageSources.read(spark, input, format, "train", unfinished.imageShape());
        spec = trainDit(spark, data, unfinished, training.dit(), out);
      } else if (o.get("vae-from") != null) {
        if (training.dit() == null) {
          throw new InputException("--vae-from trains only a DiT; --dit none leaves nothing to train");
        }
        PriorSpec vae = copyVae(Path.of(o.get("vae-from")), out);
        ImageDataset data = ImageSources.read(spark, input, format, "train", vae.imageShape());
        spec = trainDit(spark, data, vae, training.dit(), out);
      } else {
        ImageDataset data = ImageSources.read(spark, input, format, "train", shape);
        spec = train(spark, input, data, training, out);
      }
      System.out.println("Wrote prior " + out + " (held-out reconstruction MSE " + spec.reconstructionMse()
          + (spec.hasDenoiser() ? ", with a DiT" : ", VAE only") + ")");
    }
  }

  /**
   * The VAE-only prior in an existing {@code out} whose DiT training was interrupted (it holds the DiT's
   * checkpoint), so that running the same command again resumes it; anything else in the way is refused
   * before any work, since train-prior never overwrites a prior.
   */
  static PriorSpec unfinishedDit(Path out, PriorTraining training) {
    if (!Files.exists(out.resolve(PriorSpec.FILE_NAME))) {
      throw new InputException("--out " + out + " already exists and is not a prior directory; choose a new --out");
    }
    PriorSpec spec = PriorSpec.read(out);
    if (spec.hasDenoiser()) {
      throw new InputException("prior directory " + out + " is finished (it has a DiT); choose a new --out");
    }
    if (!Files.exists(out.resolve(DitTrainingFacts.CHECKPOINT_FILE)) || training.dit() == null) {
      throw new InputException("prior directory " + out + " already holds a VAE-only prior; to add a DiT to it,"
          + " run train-prior --vae-from " + out + " --out NEW_DIR");
    }
    return spec;
  }

  /**
   * Trains the VAE into {@code out} on the driver (DJL trains there, so the training images are collected),
   * then, when asked, the DiT on the VAE's latents of the training images (encoded on the executors).
   */
  static PriorSpec train(SparkSession spark, String input, ImageDataset data, PriorTraining training, Path out) {
    PriorSpec vae = trainVae(spark, input, data, training.vae(), out);
    return training.dit() == null ? vae : trainDit(spark, data, vae, training.dit(), out);
  }

  /** Copies a built-in prior's VAE (weights + prior.json) into a new directory {@code out}. */
  static PriorSpec copyVae(Path from, Path out) {
    PriorSpec source = PriorSpec.read(from);
    if (!PriorSpec.TYPE_VAE.equals(source.type())) {
      throw new InputException("--vae-from " + from + " is a '" + source.type() + "' prior; it must be a built-in"
          + " (vae) prior written by train-prior");
    }
    // Only the VAE comes along: the new prior.json names no DiT until the new one is trained.
    PriorSpec spec = new PriorSpec(source.type(), source.imageShape(), source.latentShape(), source.scaleFactor(),
        source.classNames(), source.pixelNormalization(),
        java.util.Map.of(PriorSpec.ROLE_VAE, source.files().get(PriorSpec.ROLE_VAE)), source.architecture(),
        source.training(), source.reconstructionMse(), null);
    try {
      Files.createDirectories(out);
      Path weights = source.file(from, PriorSpec.ROLE_VAE);
      Files.copy(weights, out.resolve(weights.getFileName()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("could not copy the VAE of " + from + " to " + out, e);
    }
    spec.write(out);
    LOG.info("Reusing the VAE of {} (held-out MSE {}); training only the DiT", from, spec.reconstructionMse());
    return spec;
  }

  /** Trains the DiT on the VAE's latents of the training images (encoded on the executors). */
  static PriorSpec trainDit(SparkSession spark, ImageDataset data, PriorSpec vae, DitTrainingConfig config, Path out) {
    PriorModels.forget(out.toString());
    Dataset<Row> encoded = new LatentEncoder().setPriorPath(out.toString()).transform(data.rows())
        .select(ImageRows.LABEL, "latent");
    List<Row> rows = encoded.collectAsList();
    float[][] latents = new float[rows.size()][];
    int[] labels = new int[rows.size()];
    for (int i = 0; i < latents.length; i++) {
      labels[i] = rows.get(i).getInt(0);
      double[] v = ((Vector) rows.get(i).get(1)).toArray();
      latents[i] = new float[v.length];
      for (int j = 0; j < v.length; j++) {
        latents[i][j] = (float) v[j];
      }
    }
    LOG.info("Training the {} DiT on {} latents", config.model(), latents.length);
    PriorSpec withDit = DitTraining.train(latents, labels, vae, out, config, line -> LOG.info("dit: {}", line));
    // The VAE-only prior loaded for encoding is stale now that prior.json names a DiT.
    PriorModels.forget(out.toString());
    return withDit;
  }

  private static PriorSpec trainVae(SparkSession spark, String input, ImageDataset data, VaeTrainingConfig training,
                                    Path out) {
    byte[][] heldOut = testImages(spark, input, data);
    int limit = training.maxTrainImages() + (heldOut == null ? HELD_OUT : 0);
    // Spread, not the first ones: a capped training set or a held-back tail must not be a few classes only.
    List<Row> rows = SpreadSample.take(data.rows(), limit, training.seed()).select(ImageRows.IMAGE).collectAsList();
    if (heldOut == null) {
      int keep = Math.min(HELD_OUT, rows.size() / 10);
      heldOut = toBytes(rows.subList(rows.size() - keep, rows.size()));
      rows = rows.subList(0, rows.size() - keep);
      LOG.info("No test split in {}: holding back {} training images to measure reconstruction", input, keep);
    }
    byte[][] train = toBytes(rows);
    if (train.length == 0) {
      throw new InputException("no training images in " + input + ": cannot train a prior");
    }
    LOG.info("Training the VAE prior on {} images ({}), {} held out", train.length, data.shape(), heldOut.length);
    return VaeTraining.train(train, heldOut, data.shape(), data.classNames(), training, out,
        line -> LOG.info("prior: {}", line));
  }

  private static byte[][] testImages(SparkSession spark, String input, ImageDataset data) {
    try {
      ImageDataset test = ImageSources.read(spark, input, data.format(), "test", data.shape());
      // 2,000 spread over the split: the first 2,000 of a class-ordered folder are one or two classes.
      return toBytes(SpreadSample.take(test.rows(), TEST_IMAGES, 0).select(ImageRows.IMAGE).collectAsList());
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
