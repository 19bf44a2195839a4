package org.ddoq.core.pipeline;

import static org.apache.spark.sql.functions.col;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
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
import org.ddoq.core.data.InputException;
import org.ddoq.core.eval.Teacher;
import org.ddoq.core.eval.TeacherConfidence;
import org.ddoq.core.eval.Teachers;
import org.ddoq.core.output.CentroidFile;
import org.ddoq.core.output.DistilledSetWriter;
import org.ddoq.core.output.StagedOutput;
import org.ddoq.core.output.SummaryFile;
import org.ddoq.core.prior.PriorSpec;
import org.ddoq.core.quantize.ClassQuantization;
import org.ddoq.core.stage.CentroidDecoder;
import org.ddoq.core.stage.ClassQuantizer;
import org.ddoq.core.stage.ClassQuantizerModel;
import org.ddoq.core.stage.LatentEncoder;
import org.ddoq.core.stage.LatentValues;
import org.ddoq.core.stage.NearestImages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One whole distill, as {@code ddoq distill} runs it: read the images, resolve the prior (given,
 * cached, or trained now and cached), encode once, quantize each class, decode the centroids (dit,
 * vae, or the nearest training images) and write the output contract. Everything a user can get
 * wrong is checked before the first byte is written.
 *
 * <pre>
 * DistillSummary summary = new Distiller(DistillSettings.builder(input, out).ipc(10).build()).run(spark);
 * </pre>
 */
public final class Distiller {
  private static final Logger LOG = LoggerFactory.getLogger(Distiller.class);

  // Skipped inputs named on the console; summary.json lists all of them.
  private static final int SKIPPED_SHOWN = 5;

  private final DistillSettings settings;
  // Set once the output folder is prepared; read by a signal handler to say what a stop keeps.
  private volatile Checkpoints checkpoints;

  public Distiller(DistillSettings settings) {
    this.settings = settings;
  }

  /**
   * One line for a user who stops this run (Ctrl-C): what OUT keeps and how to continue; null
   * before OUT is prepared (nothing is kept then).
   */
  public String stoppedLine() {
    Checkpoints c = checkpoints;
    return c == null ? null : c.stoppedLine();
  }

  public DistillSummary run(SparkSession spark) {
    DistillSettings s = settings;
    Map<String, Double> seconds = new LinkedHashMap<>();
    String started = Instant.now().toString();
    long t0 = System.nanoTime();
    PriorSpec given = s.prior() == null ? null : PriorSpec.read(Path.of(s.prior()));
    ImageShape shape = DistillChecks.targetShape(s, given);
    if (given != null) {
      DistillChecks.checkDecoder(s, given, Path.of(s.prior()));
    }
    DistillChecks.checkChoice(s);
    Checkpoints run = Checkpoints.open(spark, s, () -> RunFingerprint.of(spark, s));
    checkpoints = run;
    Checkpoints.Stage resumed = run.resumedAfter();
    if (resumed != Checkpoints.Stage.NONE) {
      LOG.info("Resuming the run in {}: it keeps {}", s.out(), resumed.kept);
    }

    ImageDataset data = ImageSources.read(spark, s.input(), s.format(), "train", shape);
    // Read and checked against the data before any model runs: a wrong teacher fails in seconds.
    Teacher teacher =
        s.teacher() == null
            ? null
            : Teachers.untested(Path.of(s.teacher()), data.classNames(), data.shape());
    long images = data.rows().count();
    run.begin();
    seconds.put("read", lap(t0));
    LOG.info(
        "Read {} images of {} classes ({}, {}) from {}",
        images,
        data.classNames().size(),
        data.shape(),
        data.format(),
        s.input());
    if (!data.skipped().isEmpty()) {
      LOG.warn(
          "{}",
          data.skippedLine(SKIPPED_SHOWN, s.out() + "/" + SummaryFile.NAME + " (dataset.skipped)"));
    }

    long t1 = System.nanoTime();
    Latents latents = new Latents(data.rows(), s.batchSize());
    PriorCache.Entry prior = resolvePrior(spark, given, data, latents);
    PriorSpec spec = PriorSpec.read(prior.dir());
    if (resumed != Checkpoints.Stage.NONE && prior.trained() && !s.decoding().nearest()) {
      // The kept latents are the old prior's: decoding them through a new one gives wrong images.
      throw new InputException(
          "the cached prior the stopped run in "
              + s.out()
              + " encoded with is gone (a new one was trained into "
              + prior.dir()
              + "); its kept latents belong to the old one: run again with --overwrite");
    }
    seconds.put("prior", lap(t1));

    long t2 = System.nanoTime();
    if (resumed == Checkpoints.Stage.NONE) {
      run.clearLatents();
      Dataset<Row> fresh = latents.encode(prior.dir().toString());
      fresh.write().mode(SaveMode.ErrorIfExists).parquet(run.latents());
      fresh.unpersist();
    }
    // Read back from the checkpoint in every run, so that a resumed run quantizes the very rows,
    // in the very partitions, an uninterrupted one does.
    Dataset<Row> encoded =
        spark.read().parquet(run.latents()).persist(StorageLevel.MEMORY_AND_DISK());
    encoded.count();
    seconds.put("encode", lap(t2));

    long t3 = System.nanoTime();
    ClassQuantizerModel model;
    if (resumed == Checkpoints.Stage.QUANTIZED) {
      model = run.loadQuantizer();
    } else {
      model =
          new ClassQuantizer()
              .setK(s.ipc())
              .setSeed(s.seed())
              .setWeighting(s.weights())
              .setRestarts(s.restarts())
              .setMaxIter(s.maxIter())
              .setParallelism(s.parallelism())
              .fit(encoded);
      run.saveQuantizer(model);
    }
    seconds.put("quantize", lap(t3));
    for (ClassQuantization c : model.summaries()) {
      if (!c.note().isEmpty()) {
        LOG.warn(
            "class {} ({}): {}{}",
            c.label(),
            c.className(),
            c.note(),
            c.size() < s.ipc() ? "; lower --ipc or add images to this class" : "");
      }
    }

    long t4 = System.nanoTime();
    StagedOutput output = run.output();
    String staging = output.folder();
    Decoded decoded =
        s.decoding().nearest()
            ? nearest(spark, data, encoded, model, teacher, staging)
            : decode(spark, prior.dir(), model, staging);
    decoded.images().persist(StorageLevel.MEMORY_AND_DISK()).count();
    seconds.put("decode", lap(t4));
    seconds.put("total_before_write", lap(t0));
    DistillSummary summary =
        new DistillSummary(
            s.out(),
            prior.dir().toString(),
            prior.trained(),
            images,
            decoded.decoder(),
            model.summaries(),
            decoded.delivered(),
            decoded.count(),
            chosenImages(decoded),
            data.skipped(),
            seconds);

    long t5 = System.nanoTime();
    Map<String, Object> summaryJson = SummaryJson.of(s, summary, data, spec, seconds, started);
    if (resumed != Checkpoints.Stage.NONE) {
      summaryJson.put("resumed_after", resumed.name().toLowerCase(java.util.Locale.ROOT));
    }
    DistilledSetWriter.writeFiles(spark, decoded.images(), staging, summaryJson);
    output.publish();
    seconds.put("write", lap(t5));
    decoded.images().unpersist();
    encoded.unpersist();
    data.rows().unpersist();
    seconds.put("total", lap(t0));
    LOG.info("Wrote {} (stage seconds {})", s.out(), seconds);
    return new DistillSummary(
        summary.out(),
        summary.prior(),
        summary.priorTrained(),
        images,
        summary.decoder(),
        summary.classes(),
        summary.delivered(),
        summary.distilledImages(),
        summary.chosenImages(),
        summary.skipped(),
        Collections.unmodifiableMap(new LinkedHashMap<>(seconds)));
  }

  /**
   * The given prior, checked against the data; else the cached one, trained now if there is none.
   */
  private PriorCache.Entry resolvePrior(
      SparkSession spark, PriorSpec given, ImageDataset data, Latents latents) {
    if (given != null) {
      if (!given.imageShape().equals(data.shape())) {
        throw new InputException(
            "prior "
                + settings.prior()
                + " takes "
                + given.imageShape()
                + " images but the input has "
                + data.shape()
                + "; use a prior trained on this kind of data");
      }
      return new PriorCache.Entry(Path.of(settings.prior()), false);
    }
    // The implicit prior gets a DiT only when asked for (--decoder dit): training one takes
    // minutes.
    PriorTraining training =
        settings.decoding().decoder().equals("dit")
            ? settings.training()
            : settings.training().withoutDit();
    PriorCache.Entry entry =
        PriorCache.resolve(
            spark, Path.of(settings.cacheDir()), settings.input(), data, training, latents::encode);
    DistillChecks.checkDecoder(settings, PriorSpec.read(entry.dir()), entry.dir());
    return entry;
  }

  /**
   * What the decode step made: the image rows the writer takes, and what they deliver per class.
   */
  private record Decoded(
      String decoder, Dataset<Row> images, List<ClassQuantization> delivered, int count) {}

  private Decoded decode(
      SparkSession spark, Path priorDir, ClassQuantizerModel model, String staging) {
    // Kept so that other decoder settings cost a decode (ddoq decode), not another encode and
    // k-means.
    CentroidFile.write(spark, staging, model.centroidList());
    CentroidDecoder decoder =
        settings.decoding().stage(priorDir.toString(), settings.batchSize(), settings.seed());
    String used = decoder.resolvedDecoder();
    LOG.info(
        "Decoding {} centroids with the {}",
        model.centroidList().size(),
        settings.decoding().describe(used));
    return new Decoded(
        used, decoder.transform(model.centroids()), model.summaries(), model.centroidList().size());
  }

  private Decoded nearest(
      SparkSession spark,
      ImageDataset data,
      Dataset<Row> latents,
      ClassQuantizerModel model,
      Teacher teacher,
      String staging) {
    NearestImages.Choice choice =
        teacher == null
            ? NearestImages.Choice.nearest()
            : new NearestImages.Choice(
                settings.candidates(),
                (images, labels, shape) ->
                    TeacherConfidence.ofOwnClass(teacher, images, labels, shape),
                data.shape());
    NearestImages.Selection selection =
        NearestImages.select(latents, data.rows(), model, settings.weights(), choice);
    // The chosen images' latents, matching the manifest's counts.
    CentroidFile.write(spark, staging, selection.asCentroids());
    LOG.info(
        "Replaced {} centroids by {}",
        selection.images().size(),
        teacher == null
            ? "their nearest training images"
            : "the training image the teacher "
                + settings.teacher()
                + " is surest of among each one's "
                + settings.candidates()
                + " nearest");
    return new Decoded(
        "nearest",
        NearestImages.pngs(data.rows(), selection, data.shape()),
        selection.classes(),
        selection.images().size());
  }

  /** Which training file each image of the nearest decoder is; nothing for the other decoders. */
  private static List<DistillSummary.ChosenImage> chosenImages(Decoded decoded) {
    List<DistillSummary.ChosenImage> chosen = new ArrayList<>();
    if (decoded.decoder().equals("nearest")) {
      for (Row r :
          decoded
              .images()
              .select("label", "cluster", ImageRows.ID, ImageRows.SOURCE)
              .orderBy("label", "cluster")
              .collectAsList()) {
        chosen.add(
            new DistillSummary.ChosenImage(r.getInt(0), r.getInt(1), r.getLong(2), r.getString(3)));
      }
    }
    return chosen;
  }

  /**
   * The data set's latents, encoded once per run: when the run trains a DiT, the latents it was
   * trained on are the ones quantized (the VAE, and so every latent, is the same before and after
   * the DiT is added).
   */
  private static final class Latents {
    private final Dataset<Row> images;
    private final int batchSize;
    private Dataset<Row> encoded;

    Latents(Dataset<Row> images, int batchSize) {
      this.images = images;
      this.batchSize = batchSize;
    }

    Dataset<Row> encode(String priorDir) {
      if (encoded == null) {
        Dataset<Row> vectors =
            new LatentEncoder().setPriorPath(priorDir).setBatchSize(batchSize).transform(images);
        // Cached (and kept) as floats, the encoder's precision: half the memory of ML vectors.
        encoded =
            vectors
                .select(
                    col(ImageRows.ID),
                    col(ImageRows.LABEL),
                    col(ImageRows.CLASS_NAME),
                    LatentValues.asFloats("latent", vectors.schema().apply("latent").dataType())
                        .as("latent"))
                .persist(StorageLevel.MEMORY_AND_DISK());
      }
      return encoded;
    }
  }

  private static double lap(long startNanos) {
    return Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0;
  }
}
