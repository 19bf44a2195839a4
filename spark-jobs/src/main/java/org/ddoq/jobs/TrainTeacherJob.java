package org.ddoq.jobs;

import static org.ddoq.jobs.Cli.atLeast;
import static org.ddoq.jobs.Cli.required;

import java.nio.file.Path;
import java.util.Locale;
import org.ddoq.core.eval.BuiltInTeacher;
import org.ddoq.core.eval.TeacherRecipe;
import org.ddoq.core.pipeline.PriorCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ddoq train-teacher}: trains the built-in teacher on a dataset's whole training split into
 * the cache that {@code evaluate --data} reads it from (same key: images, recipe, seed 0), tests
 * it, and prints its test accuracy. A stopped training resumes from its last epoch when the command
 * is run again; a finished one is only read. Trains on the driver, like evaluate.
 */
@Command(
    name = "train-teacher",
    description =
        "train evaluate's built-in teacher on a dataset (resumable; evaluate would train it too)")
public final class TrainTeacherJob implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(TrainTeacherJob.class);

  @Mixin Cli.HelpOption help;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      required = true,
      description =
          "the dataset (as evaluate's --data): its train split trains the teacher, its test split"
              + " tests it")
  String data;

  @Option(
      names = "--format",
      paramLabel = "auto|idx|folder|parquet",
      description =
          "layout of --data: idx (MNIST files), folder (ImageFolder), parquet (an image table in"
              + " the Hugging Face layout); auto finds out (default ${DEFAULT-VALUE})")
  Cli.Format format = Cli.Format.AUTO;

  @Option(
      names = "--epochs",
      paramLabel = "N|auto",
      description =
          "training epochs (auto: the recipe's for the data, as evaluate's --teacher-epochs auto:"
              + " "
              + TeacherRecipe.COLOUR_EPOCHS
              + " for colour images, "
              + TeacherRecipe.GREYSCALE_EPOCHS
              + " for greyscale; default ${DEFAULT-VALUE})")
  String epochs = "auto";

  @Option(
      names = "--max-images",
      paramLabel = "N",
      description =
          "train on at most N training images spread over the classes (0: all; for trying the"
              + " speed: another cache entry; default ${DEFAULT-VALUE})")
  int maxImages = 0;

  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      description =
          "where the teacher is cached (evaluate's --cache-dir; default ${DEFAULT-VALUE})")
  String cacheDir = PriorCache.defaultRoot().toString();

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master (default: spark-submit's, else local[*])")
  String master;

  @Mixin ImageLimitOption imageLimit = new ImageLimitOption();

  @Override
  public void run() {
    imageLimit.check();
    atLeast("--max-images", maxImages, 0);
    Integer epochCount = Cli.integerOrAuto("--epochs", epochs, 1);
    Path cache = Path.of(required("--cache-dir", cacheDir));
    try (Sessions session = Sessions.create("ddoq train-teacher", master);
        ImageLimitOption.Restore limit = imageLimit.applyTo(session.spark())) {
      Splits splits =
          Splits.read(session.spark(), required("--data", data), format.toString(), maxImages);
      TeacherRecipe recipe = TeacherRecipe.forImages(splits.train().shape(), epochCount);
      BuiltInTeacher teacher =
          BuiltInTeacher.trainOrLoad(
              cache, splits.train(), splits.test(), recipe, 0, line -> LOG.info("{}", line));
      System.out.println(
          String.format(
              Locale.ROOT,
              "Teacher %s: test accuracy %.2f %% (%s)",
              teacher.key(),
              100 * teacher.testAccuracy(),
              teacher.fromCache()
                  ? "cached"
                  : String.format(Locale.ROOT, "%.0f s of training", teacher.seconds())));
    }
  }
}
