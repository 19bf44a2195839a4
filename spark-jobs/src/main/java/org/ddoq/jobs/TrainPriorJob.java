package org.ddoq.jobs;

import static org.ddoq.jobs.Cli.required;

import java.nio.file.Path;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.pipeline.PriorTrainer;
import org.ddoq.core.prior.PriorSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ddoq train-prior}: its options and a run of {@link PriorTrainer}, which trains the
 * built-in VAE (and a DiT) and writes a prior directory.
 */
@Command(
    name = "train-prior",
    description = "train the built-in VAE prior on a dataset and write a prior directory")
public final class TrainPriorJob implements Runnable {
  @Mixin Cli.HelpOption help;

  @Option(
      names = "--input",
      paramLabel = "DIR",
      required = true,
      description = "labelled images: a directory of IDX files or an ImageFolder tree")
  String input;

  @Option(
      names = "--out",
      paramLabel = "PRIOR",
      required = true,
      description = "prior directory to write (must not exist)")
  String out;

  @Option(
      names = "--format",
      paramLabel = "auto|idx|folder|parquet",
      description =
          "input layout: idx (MNIST files), folder (ImageFolder), parquet (an image table in the"
              + " Hugging Face layout); auto finds out (default ${DEFAULT-VALUE})")
  Cli.Format format = Cli.Format.AUTO;

  @Option(
      names = "--image-size",
      paramLabel = "CxHxW",
      description = "resize folder images to this shape (default: the first image's)")
  String imageSize;

  @Option(
      names = "--vae-from",
      paramLabel = "PRIOR",
      description =
          "reuse the VAE of this built-in prior and train only the DiT (e.g. another DiT size)")
  String vaeFrom;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master (default: spark-submit's, else local[*])")
  String master;

  @Mixin PriorTrainingOptions training = new PriorTrainingOptions();

  @Mixin ImageLimitOption imageLimit = new ImageLimitOption();

  @Override
  public void run() {
    imageLimit.check();
    Path outDir = Path.of(required("--out", out));
    ImageShape shape = imageSize == null ? null : ImageShape.parseOption("--image-size", imageSize);
    // Refuses an existing --out (unless it is a DiT training to resume) before Spark starts.
    PriorTrainer trainer =
        new PriorTrainer(
            new PriorTrainer.Settings(
                required("--input", input),
                outDir,
                format.toString(),
                shape,
                vaeFrom == null ? null : Path.of(vaeFrom),
                training.training()));
    try (Sessions session = Sessions.create("ddoq train-prior", master);
        ImageLimitOption.Restore limit = imageLimit.applyTo(session.spark())) {
      PriorSpec spec = trainer.run(session.spark());
      System.out.println(
          "Wrote prior "
              + outDir
              + " (held-out reconstruction MSE "
              + spec.reconstructionMse()
              + (spec.hasDenoiser() ? ", with a DiT" : ", VAE only")
              + ")");
    }
  }
}
