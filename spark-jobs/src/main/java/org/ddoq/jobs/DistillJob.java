package org.ddoq.jobs;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.ddoq.core.data.ImageDataset;
import org.ddoq.core.data.ImageRows;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.ImageSources;
import org.ddoq.core.output.DistilledSetWriter;
import org.ddoq.core.prior.PriorSpec;
import org.ddoq.core.quantize.ClassQuantization;
import org.ddoq.core.stage.CentroidDecoder;
import org.ddoq.core.stage.ClassQuantizer;
import org.ddoq.core.stage.ClassQuantizerModel;
import org.ddoq.core.stage.LatentEncoder;
import org.ddoq.core.stage.NearestImages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ddoq distill}: read, (train or load the prior), encode, quantize per class, decode, write the
 * output contract. Everything a user can get wrong is checked before the first byte is written.
 */
public final class DistillJob {
  private static final Logger LOG = LoggerFactory.getLogger(DistillJob.class);

  /** The settings of one run, as parsed from the command line. */
  public record Settings(String input, String out, int ipc, String format, String prior, long seed, String weights,
                         boolean keepLatents, boolean overwrite, String imageSize, int batchSize, int restarts,
                         int maxIter, int parallelism, String cacheDir, PriorTraining training,
                         Decoding decoding) {}

  /** How centroids become images: the decoder (auto, dit, vae) and the DDIM settings of the dit decoder. */
  public record Decoding(String decoder, double strength, int steps, double guidance, double eta) {
    public static Decoding defaults() {
      return new Decoding("auto", org.ddoq.core.stage.CentroidDecoder.DEFAULT_STRENGTH, 25, 4.0, 0.0);
    }
  }

  /** What a run produced, for callers and tests. */
  public record Result(String out, String prior, boolean priorTrained, long images, List<ClassQuantization> classes,
                       List<ImageDataset.Skipped> skipped, Map<String, Double> seconds) {}

  private DistillJob() {}

  static Options options() {
    return new Options("distill")
        .option("input", "DIR", null, "labelled images: a directory of IDX files or an ImageFolder tree")
        .option("out", "OUT", null, "where to write the distilled set (must not exist)")
        .option("ipc", "N", "10", "images per class (k of k-means)")
        .option("format", "auto|idx|folder", "auto", "input layout")
        .option("prior", "PRIOR", null, "prior directory; without it one is trained once and cached")
        .option("seed", "S", "0", "run seed: per-class k-means seeds derive from it")
        .option("weights", "mass|sqrt|uniform", "mass", "centroid training weights (uniform = D4M)")
        .flag("keep-latents", "also write OUT/latents (Parquet: id,label,class_name,latent)")
        .flag("overwrite", "replace OUT if it exists")
        .option("image-size", "CxHxW", null, "resize folder images to this shape (default: the prior's, else the first image's)")
        .option("batch-size", "N", "256", "images per model call on the executors")
        .option("restarts", "N", "1", "k-means fits per class; the lowest distortion is kept")
        .option("max-iter", "N", "50", "k-means iterations per fit")
        .option("parallelism", "N", "4", "classes quantized concurrently")
        .option("decoder", "auto|dit|vae|nearest", "auto", "dit: DDIM through the prior's diffusion model; vae: direct decoding; nearest: the training image nearest to each centroid, reweighted by its own cell (auto: dit when the prior has one)")
        .option("strength", "S", String.valueOf(Decoding.defaults().strength()), "dit: noise level each centroid starts from, t = S * 1000 (0..1; 0 = VAE decoding)")
        .option("steps", "N", "25", "dit: DDIM steps of a full-strength run (strength S runs round(N * S))")
        .option("guidance", "G", "4.0", "dit: classifier-free guidance scale (1 = none)")
        .option("eta", "E", "0", "dit: DDIM stochasticity (0 = deterministic)")
        .option("cache-dir", "DIR", PriorCache.defaultRoot().toString(), "where trained priors are cached")
        .option("master", "URL", null, "Spark master (default: spark-submit's, else local[*])");
  }

  public static void main(String[] args) {
    Options o = TrainPriorJob.withTrainingOptions(options());
    if (List.of(args).contains("--help")) {
      System.out.println(o.usage());
      return;
    }
    o.parse(args);
    Settings s = new Settings(o.required("input"), o.required("out"), o.integer("ipc", 1), o.oneOf("format", "auto", "idx", "folder"),
        o.get("prior"), o.longValue("seed"), o.oneOf("weights", "mass", "sqrt", "uniform"), o.flagSet("keep-latents"),
        o.flagSet("overwrite"), o.get("image-size"), o.integer("batch-size", 1), o.integer("restarts", 1),
        o.integer("max-iter", 1), o.integer("parallelism", 1), o.required("cache-dir"), TrainPriorJob.training(o),
        new Decoding(o.oneOf("decoder", "auto", "dit", "vae", "nearest"), o.number("strength", 0, 1), o.integer("steps", 1),
            o.number("guidance", 0, Double.MAX_VALUE), o.number("eta", 0, 1)));
    try (Sessions session = Sessions.create("ddoq distill", o.get("master"))) {
      SparkSession spark = session.spark();
      Result r = run(spark, s);
      System.out.println("Distilled " + r.images() + " images into " + r.classes().stream().mapToInt(ClassQuantization::centroids).sum()
          + " weighted images: " + r.out());
    }
  }

  public static Result run(SparkSession spark, Settings s) {
    Map<String, Double> seconds = new LinkedHashMap<>();
    String started = Instant.now().toString();
    long t0 = System.nanoTime();
    Path priorDir = s.prior() == null ? null : Path.of(s.prior());
    PriorSpec given = priorDir == null ? null : PriorSpec.read(priorDir);
    ImageShape shape = given != null ? given.imageShape() : s.imageSize() == null ? null : ImageShape.parse(s.imageSize());
    if (given != null) {
      checkDecoder(s.decoding(), given, priorDir);
    }
    DistilledSetWriter.prepareTarget(spark, s.out(), s.overwrite());

    ImageDataset data = ImageSources.read(spark, s.input(), s.format(), "train", shape);
    long images = data.rows().count();
    seconds.put("read", lap(t0));
    LOG.info("Read {} images of {} classes ({}, {}) from {}; {} inputs skipped", images, data.classNames().size(),
        data.shape(), data.format(), s.input(), data.skipped().size());

    long t1 = System.nanoTime();
    boolean trained = false;
    if (priorDir == null) {
      // The implicit prior gets a DiT only when asked for (--decoder dit): training one takes minutes.
      PriorTraining training = s.decoding().decoder().equals("dit") ? s.training() : s.training().withoutDit();
      PriorCache.Entry entry = PriorCache.resolve(spark, Path.of(s.cacheDir()), s.input(), data, training);
      priorDir = entry.dir();
      trained = entry.trained();
      given = PriorSpec.read(priorDir);
      checkDecoder(s.decoding(), given, priorDir);
    } else if (!given.imageShape().equals(data.shape())) {
      throw new org.ddoq.core.data.InputException("prior " + priorDir + " takes " + given.imageShape()
          + " images but the input has " + data.shape() + "; use a prior trained on this kind of data");
    }
    seconds.put("prior", lap(t1));

    long t2 = System.nanoTime();
    Dataset<Row> latents = new LatentEncoder().setPriorPath(priorDir.toString()).setBatchSize(s.batchSize())
        .transform(data.rows())
        .select(ImageRows.ID, ImageRows.LABEL, ImageRows.CLASS_NAME, "latent")
        .persist(StorageLevel.MEMORY_AND_DISK());
    if (s.keepLatents()) {
      latents.write().mode(SaveMode.ErrorIfExists).parquet(s.out() + "/latents");
    } else {
      latents.count();
    }
    seconds.put("encode", lap(t2));

    long t3 = System.nanoTime();
    ClassQuantizerModel model = new ClassQuantizer().setK(s.ipc()).setSeed(s.seed()).setWeighting(s.weights())
        .setRestarts(s.restarts()).setMaxIter(s.maxIter()).setParallelism(s.parallelism()).fit(latents);
    seconds.put("quantize", lap(t3));
    for (ClassQuantization c : model.summaries()) {
      if (!c.note().isEmpty()) {
        LOG.warn("class {} ({}): {}{}", c.label(), c.className(), c.note(),
            c.size() < s.ipc() ? "; lower --ipc or add images to this class" : "");
      }
    }

    Decoding d = s.decoding();
    boolean nearest = d.decoder().equals("nearest");
    long t4 = System.nanoTime();
    NearestImages.Selection selection = nearest ? NearestImages.select(latents, model, s.weights()) : null;
    // Kept so that other decoder settings cost a decode (ddoq decode), not another encode and k-means. For the
    // nearest decoder these are the chosen images' latents, matching the manifest's counts.
    try {
      org.ddoq.core.output.CentroidFile.write(new org.apache.hadoop.fs.Path(s.out())
          .getFileSystem(spark.sparkContext().hadoopConfiguration()), s.out(),
          nearest ? selection.asCentroids() : model.centroidList());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("could not write the centroids to " + s.out() + ": " + e.getMessage(), e);
    }

    String decoderUsed;
    Dataset<Row> decoded;
    if (nearest) {
      decoderUsed = "nearest";
      LOG.info("Replaced {} centroids by their nearest training images", selection.images().size());
      decoded = NearestImages.pngs(data.rows(), selection, data.shape());
    } else {
      CentroidDecoder decoder = new CentroidDecoder().setPriorPath(priorDir.toString()).setBatchSize(s.batchSize())
          .setDecoder(d.decoder()).setStrength(d.strength()).setSteps(d.steps()).setGuidance(d.guidance())
          .setEta(d.eta()).setSeed(s.seed());
      decoderUsed = decoder.resolvedDecoder();
      LOG.info("Decoding {} centroids with the {} decoder{}", model.centroidList().size(), decoderUsed,
          decoderUsed.equals("dit") ? String.format(" (strength %s, %d steps, guidance %s, eta %s)", d.strength(),
              d.steps(), d.guidance(), d.eta()) : "");
      decoded = decoder.transform(model.centroids());
    }
    decoded = decoded.persist(StorageLevel.MEMORY_AND_DISK());
    decoded.count();
    seconds.put("decode", lap(t4));
    seconds.put("total_before_write", lap(t0));
    Map<String, Object> summary = Summary.of(s, decoderUsed, data, images, priorDir, trained, given, model, selection, seconds, started);
    if (nearest) {
      // Which training file each distilled image is, so a user can trace (and licence-check) every image.
      List<Map<String, Object>> chosen = new ArrayList<>();
      for (Row r : decoded.select("label", "cluster", ImageRows.ID, ImageRows.SOURCE).orderBy("label", "cluster")
          .collectAsList()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", r.getInt(0));
        m.put("cluster", r.getInt(1));
        m.put("id", r.getLong(2));
        m.put("source", r.getString(3));
        chosen.add(m);
      }
      summary.put("chosen_images", chosen);
    }
    long t5 = System.nanoTime();
    DistilledSetWriter.write(spark, decoded, s.out(), summary);
    seconds.put("write", lap(t5));
    decoded.unpersist();
    latents.unpersist();
    data.rows().unpersist();
    seconds.put("total", lap(t0));
    LOG.info("Wrote {} (stage seconds {})", s.out(), seconds);
    return new Result(s.out(), priorDir.toString(), trained, images, model.summaries(), data.skipped(), seconds);
  }

  /** The dit decoder needs a diffusion model: say so before any work is done. */
  private static void checkDecoder(Decoding decoding, PriorSpec prior, Path priorDir) {
    if (decoding.decoder().equals("dit") && !prior.hasDenoiser()) {
      throw new org.ddoq.core.data.InputException("--decoder dit needs a prior with a diffusion model, but " + priorDir
          + " has none; use --decoder vae, or a prior trained or imported with a DiT");
    }
  }

  private static double lap(long startNanos) {
    return Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0;
  }
}
