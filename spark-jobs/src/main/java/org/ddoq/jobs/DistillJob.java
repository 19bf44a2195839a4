package org.ddoq.jobs;

import org.ddoq.core.pipeline.Decoding;
import org.ddoq.core.pipeline.DistillSettings;
import org.ddoq.core.pipeline.DistillSummary;
import org.ddoq.core.pipeline.Distiller;
import org.ddoq.core.quantize.ClassQuantization;

/** {@code ddoq distill}: parses the options and runs a {@link Distiller}. */
public final class DistillJob {
  private DistillJob() {}

  static Options options() {
    DistillSettings d = DistillSettings.defaults();
    Decoding dd = d.decoding();
    return new Options("distill")
        .option(
            "input",
            "DIR",
            null,
            "labelled images: a directory of IDX files or an ImageFolder tree")
        .option("out", "OUT", null, "where to write the distilled set (must not exist)")
        .option("ipc", "N", String.valueOf(d.ipc()), "images per class (k of k-means)")
        .option("format", "auto|idx|folder", d.format(), "input layout")
        .option(
            "prior", "PRIOR", null, "prior directory; without it one is trained once and cached")
        .option(
            "seed",
            "S",
            String.valueOf(d.seed()),
            "run seed: per-class k-means seeds derive from it")
        .option(
            "weights",
            "mass|sqrt|uniform",
            d.weights(),
            "centroid training weights (uniform = D4M)")
        .flag("keep-latents", "also write OUT/latents (Parquet: id,label,class_name,latent)")
        .flag("overwrite", "replace OUT if it exists")
        .option(
            "image-size",
            "CxHxW",
            null,
            "resize folder images to this shape (default: the prior's, else the first image's)")
        .option(
            "batch-size",
            "N",
            String.valueOf(d.batchSize()),
            "images per model call on the executors")
        .option(
            "restarts",
            "N",
            String.valueOf(d.restarts()),
            "k-means fits per class; the lowest distortion is kept")
        .option("max-iter", "N", String.valueOf(d.maxIter()), "k-means iterations per fit")
        .option(
            "parallelism",
            "N",
            String.valueOf(d.parallelism()),
            "classes too large for one task (MLlib KMeans) quantized concurrently")
        .option(
            "decoder",
            "auto|dit|vae|nearest",
            dd.decoder(),
            "dit: DDIM through the prior's diffusion model; vae: direct decoding; nearest: the training image nearest to each centroid, reweighted by its own cell (auto: dit when the prior has one)")
        .option(
            "strength",
            "S",
            String.valueOf(dd.strength()),
            "dit: noise level each centroid starts from, t = S * 1000 (0..1; 0 = VAE decoding)")
        .option(
            "steps",
            "N",
            String.valueOf(dd.steps()),
            "dit: DDIM steps of a full-strength run (strength S runs round(N * S))")
        .option(
            "guidance",
            "G",
            String.valueOf(dd.guidance()),
            "dit: classifier-free guidance scale (1 = none)")
        // "0", not "0.0": how the help has always shown it.
        .option(
            "eta",
            "E",
            dd.eta() == 0 ? "0" : String.valueOf(dd.eta()),
            "dit: DDIM stochasticity (0 = deterministic)")
        .option(
            "candidates",
            "M",
            String.valueOf(d.candidates()),
            "nearest: each centroid takes, among its M nearest free training images, the one --teacher is surest of (1: the nearest)")
        .option(
            "teacher",
            "FILE.pt",
            null,
            "nearest with --candidates M > 1: a TorchScript classifier of [0,1] N x C x H x W images (as evaluate's)")
        .option("cache-dir", "DIR", d.cacheDir(), "where trained priors are cached")
        .option("master", "URL", null, "Spark master (default: spark-submit's, else local[*])");
  }

  public static void main(String[] args) {
    Options o = PriorTrainingOptions.add(options());
    if (!o.parseUnlessHelp(args)) {
      return;
    }
    DistillSettings s =
        new DistillSettings(
            o.required("input"),
            o.required("out"),
            o.integer("ipc", 1),
            o.oneOf("format", "auto", "idx", "folder"),
            o.get("prior"),
            o.longValue("seed"),
            o.oneOf("weights", "mass", "sqrt", "uniform"),
            o.flagSet("keep-latents"),
            o.flagSet("overwrite"),
            o.get("image-size"),
            o.integer("batch-size", 1),
            o.integer("restarts", 1),
            o.integer("max-iter", 1),
            o.integer("parallelism", 1),
            o.required("cache-dir"),
            PriorTrainingOptions.parse(o),
            new Decoding(
                o.oneOf("decoder", "auto", "dit", "vae", "nearest"),
                o.number("strength", 0, 1),
                o.integer("steps", 1),
                o.number("guidance", 0, Double.MAX_VALUE),
                o.number("eta", 0, 1)),
            o.integer("candidates", 1),
            o.get("teacher"));
    try (Sessions session = Sessions.create("ddoq distill", o.get("master"))) {
      DistillSummary r = new Distiller(s).run(session.spark());
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
