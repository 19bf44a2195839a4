package org.ddoq.jobs;

import static org.ddoq.jobs.Cli.atLeast;
import static org.ddoq.jobs.Cli.between;
import static org.ddoq.jobs.Cli.required;

import org.ddoq.core.data.ImageShape;
import org.ddoq.core.pipeline.Decoding;
import org.ddoq.core.pipeline.DistillSettings;
import org.ddoq.core.pipeline.DistillSummary;
import org.ddoq.core.pipeline.Distiller;
import org.ddoq.core.quantize.ClassQuantization;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ddoq distill}: its options (defaults from {@link DistillSettings#defaults()}) and a run of
 * a {@link Distiller}.
 */
@Command(
    name = "distill",
    description = "distill a labelled image dataset into a small weighted synthetic set")
public final class DistillJob implements Runnable {
  private final DistillSettings defaults = DistillSettings.defaults();
  private final Decoding decoding = defaults.decoding();

  @Mixin Cli.HelpOption help;

  @Option(
      names = "--input",
      paramLabel = "DIR",
      required = true,
      description = "labelled images: a directory of IDX files or an ImageFolder tree")
  String input;

  @Option(
      names = "--out",
      paramLabel = "OUT",
      required = true,
      description = "where to write the distilled set (must not exist, nor lie inside --input)")
  String out;

  @Option(
      names = "--ipc",
      paramLabel = "N",
      description = "images per class (k of k-means; default ${DEFAULT-VALUE})")
  int ipc = defaults.ipc();

  @Option(
      names = "--format",
      paramLabel = "auto|idx|folder|parquet",
      description =
          "input layout: idx (MNIST files), folder (ImageFolder), parquet (an image table in the"
              + " Hugging Face layout); auto finds out (default ${DEFAULT-VALUE})")
  Cli.Format format = Cli.choice(Cli.Format.class, defaults.format());

  @Option(
      names = "--prior",
      paramLabel = "PRIOR",
      description = "prior directory; without it one is trained once and cached")
  String prior;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description = "run seed: per-class k-means seeds derive from it (default ${DEFAULT-VALUE})")
  long seed = defaults.seed();

  @Option(
      names = "--weights",
      paramLabel = "mass|sqrt|uniform",
      description = "centroid training weights (uniform = D4M; default ${DEFAULT-VALUE})")
  Cli.Weighting weights = Cli.choice(Cli.Weighting.class, defaults.weights());

  @Option(
      names = "--keep-latents",
      description = "also write OUT/latents (Parquet: id,label,class_name,latent)")
  boolean keepLatents;

  @Option(names = "--overwrite", description = "replace OUT if it exists")
  boolean overwrite;

  @Option(
      names = "--resume",
      description =
          "continue the stopped run in OUT from its last finished stage (kept latents, kept"
              + " centroids) with the same settings; starts one if OUT does not exist; with"
              + " --overwrite, replaces what cannot be continued (a scheduler's retry flags)")
  boolean resume;

  @Option(
      names = "--image-size",
      paramLabel = "CxHxW",
      description =
          "resize images to this shape (default: the prior's, else the first image's; with"
              + " --prior only the prior's is accepted)")
  String imageSize;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description = "images per model call on the executors (default ${DEFAULT-VALUE})")
  int batchSize = defaults.batchSize();

  @Option(
      names = "--restarts",
      paramLabel = "N",
      description =
          "k-means fits per class; the lowest distortion is kept (default ${DEFAULT-VALUE})")
  int restarts = defaults.restarts();

  @Option(
      names = "--max-iter",
      paramLabel = "N",
      description = "k-means iterations per fit (default ${DEFAULT-VALUE})")
  int maxIter = defaults.maxIter();

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      description =
          "classes too large for one task (MLlib KMeans) quantized concurrently (default"
              + " ${DEFAULT-VALUE})")
  int parallelism = defaults.parallelism();

  @Option(
      names = "--decoder",
      paramLabel = "auto|dit|vae|nearest",
      description =
          "nearest: the training image nearest to each centroid (with --teacher: the one the"
              + " teacher is surest of among its --candidates nearest), reweighted by its own cell;"
              + " dit: DDIM through the prior's diffusion model; vae: direct decoding (auto: dit"
              + " when the prior has one, else vae; default ${DEFAULT-VALUE})")
  Cli.Decoder decoder = Cli.choice(Cli.Decoder.class, decoding.decoder());

  @Option(
      names = "--strength",
      paramLabel = "S",
      description =
          "dit: noise level each centroid starts from, t = S * 1000 (0..1; 0 = VAE decoding;"
              + " default ${DEFAULT-VALUE})")
  double strength = decoding.strength();

  @Option(
      names = "--steps",
      paramLabel = "N",
      description =
          "dit: DDIM steps of a full-strength run (strength S runs round(N * S); default"
              + " ${DEFAULT-VALUE})")
  int steps = decoding.steps();

  @Option(
      names = "--guidance",
      paramLabel = "G",
      description = "dit: classifier-free guidance scale (1 = none; default ${DEFAULT-VALUE})")
  double guidance = decoding.guidance();

  @Option(
      names = "--eta",
      paramLabel = "E",
      description = "dit: DDIM stochasticity (0 = deterministic; default ${DEFAULT-VALUE})")
  double eta = decoding.eta();

  @Option(
      names = "--candidates",
      paramLabel = "M|auto",
      description =
          "nearest: each centroid takes, among its M nearest free training images, the one"
              + " --teacher is surest of (1: the nearest; auto: 20 with --teacher, else 1;"
              + " default ${DEFAULT-VALUE})")
  String candidates = "auto";

  @Option(
      names = "--teacher",
      paramLabel = "FILE.pt|DIR",
      description =
          "nearest: the classifier that chooses among each centroid's --candidates nearest images (20"
              + " unless given): a TorchScript classifier of [0,1] N x C x H x W images"
              + " (as evaluate's), or the folder of a built-in teacher train-teacher trained on"
              + " this data (<cache>/teachers/<key>)")
  String teacher;

  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      description = "where trained priors are cached (default ${DEFAULT-VALUE})")
  String cacheDir = defaults.cacheDir();

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master (default: spark-submit's, else local[*])")
  String master;

  @Mixin PriorTrainingOptions training = new PriorTrainingOptions();

  @Mixin ImageLimitOption imageLimit = new ImageLimitOption();

  /** --candidates: a whole number >= 1, or 0 for auto (resolved by DistillSettings). */
  private int candidatesOrAuto() {
    Integer m = Cli.integerOrAuto("--candidates", candidates, 1);
    return m == null ? 0 : m;
  }

  @Override
  public void run() {
    imageLimit.check();
    if (imageSize != null) {
      // Checked again by the Distiller (API callers); here before a Spark session starts.
      ImageShape.parseOption("--image-size", imageSize);
    }
    DistillSettings s =
        new DistillSettings(
            required("--input", input),
            required("--out", out),
            atLeast("--ipc", ipc, 1),
            format.toString(),
            prior,
            seed,
            weights.toString(),
            keepLatents,
            overwrite,
            resume,
            imageSize,
            atLeast("--batch-size", batchSize, 1),
            atLeast("--restarts", restarts, 1),
            atLeast("--max-iter", maxIter, 1),
            atLeast("--parallelism", parallelism, 1),
            required("--cache-dir", cacheDir),
            training.training(),
            new Decoding(
                decoder.toString(),
                between("--strength", strength, 0, 1),
                atLeast("--steps", steps, 1),
                between("--guidance", guidance, 0, Double.MAX_VALUE),
                between("--eta", eta, 0, 1)),
            candidatesOrAuto(),
            teacher);
    try (Sessions session = Sessions.create("ddoq distill", master);
        ImageLimitOption.Restore limit = imageLimit.applyTo(session.spark())) {
      Distiller distiller = new Distiller(s);
      StopSignals.install("distill", distiller::stoppedLine);
      DistillSummary r = distiller.run(session.spark());
      System.out.println(
          "Distilled "
              + r.images()
              + " images into "
              + r.classes().stream().mapToInt(ClassQuantization::centroids).sum()
              + " weighted images: "
              + r.out());
    }
  }
}
