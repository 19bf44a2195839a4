package org.ddoq.jobs;

import java.nio.file.Path;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.pipeline.PriorTrainer;
import org.ddoq.core.prior.PriorSpec;

/**
 * {@code ddoq train-prior}: parses the options and runs {@link PriorTrainer}, which trains the
 * built-in VAE (and a DiT) and writes a prior directory.
 */
public final class TrainPriorJob {
  private TrainPriorJob() {}

  public static void main(String[] args) {
    Options o =
        PriorTrainingOptions.add(
            new Options("train-prior")
                .option(
                    "input",
                    "DIR",
                    null,
                    "labelled images: a directory of IDX files or an ImageFolder tree")
                .option("out", "PRIOR", null, "prior directory to write (must not exist)")
                .option("format", "auto|idx|folder", "auto", "input layout")
                .option(
                    "image-size",
                    "CxHxW",
                    null,
                    "resize folder images to this shape (default: the first image's)")
                .option(
                    "vae-from",
                    "PRIOR",
                    null,
                    "reuse the VAE of this built-in prior and train only the DiT (e.g. another DiT size)")
                .option(
                    "master",
                    "URL",
                    null,
                    "Spark master (default: spark-submit's, else local[*])"));
    if (!o.parseUnlessHelp(args)) {
      return;
    }
    Path out = Path.of(o.required("out"));
    String input = o.required("input");
    String format = o.oneOf("format", "auto", "idx", "folder");
    ImageShape shape = o.get("image-size") == null ? null : ImageShape.parse(o.get("image-size"));
    // Refuses an existing --out (unless it is a DiT training to resume) before Spark starts.
    PriorTrainer trainer =
        new PriorTrainer(
            new PriorTrainer.Settings(
                input,
                out,
                format,
                shape,
                o.get("vae-from") == null ? null : Path.of(o.get("vae-from")),
                PriorTrainingOptions.parse(o)));
    try (Sessions session = Sessions.create("ddoq train-prior", o.get("master"))) {
      PriorSpec spec = trainer.run(session.spark());
      System.out.println(
          "Wrote prior "
              + out
              + " (held-out reconstruction MSE "
              + spec.reconstructionMse()
              + (spec.hasDenoiser() ? ", with a DiT" : ", VAE only")
              + ")");
    }
  }
}
