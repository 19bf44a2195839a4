package org.ddoq.jobs;

import java.nio.file.Path;
import java.util.Locale;
import org.ddoq.core.eval.BuiltInTeacher;
import org.ddoq.core.eval.TeacherRecipe;
import org.ddoq.core.pipeline.PriorCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ddoq train-teacher}: trains the built-in teacher on a dataset's whole training split into
 * the cache that {@code evaluate --data} reads it from (same key: images, recipe, seed 0), tests
 * it, and prints its test accuracy. A stopped training resumes from its last epoch when the command
 * is run again; a finished one is only read. Trains on the driver, like evaluate.
 */
public final class TrainTeacherJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainTeacherJob.class);

  private TrainTeacherJob() {}

  static Options options() {
    return new Options("train-teacher")
        .option(
            "data",
            "DIR",
            null,
            "the dataset (as evaluate's --data): its train split trains the teacher, its test split tests it")
        .option("format", "auto|idx|folder", "auto", "layout of --data")
        .option(
            "epochs",
            "N|auto",
            "auto",
            "training epochs (auto: the recipe's for the data, as evaluate's --teacher-epochs auto)")
        .option(
            "max-images",
            "N",
            "0",
            "train on at most N training images spread over the classes (0: all; for trying the speed: another cache entry)")
        .option(
            "cache-dir",
            "DIR",
            PriorCache.defaultRoot().toString(),
            "where the teacher is cached (evaluate's --cache-dir)")
        .option("master", "URL", null, "Spark master (default: spark-submit's, else local[*])");
  }

  public static void main(String[] args) {
    Options o = options();
    if (!o.parseUnlessHelp(args)) {
      return;
    }
    int maxImages = o.integer("max-images", 0);
    try (Sessions session = Sessions.create("ddoq train-teacher", o.get("master"))) {
      Splits splits = Splits.read(session.spark(), o.required("data"), o.get("format"), maxImages);
      TeacherRecipe recipe =
          TeacherRecipe.forImages(splits.train().shape(), o.integerOrAuto("epochs", 1));
      BuiltInTeacher teacher =
          BuiltInTeacher.trainOrLoad(
              Path.of(o.required("cache-dir")),
              splits.train(),
              splits.test(),
              recipe,
              0,
              line -> LOG.info("{}", line));
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
