package org.ddoq.jobs;

import static org.ddoq.jobs.Cli.atLeast;
import static org.ddoq.jobs.Cli.between;
import static org.ddoq.jobs.Cli.required;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.InputException;
import org.ddoq.core.eval.Augmentation;
import org.ddoq.core.eval.DistilledSet;
import org.ddoq.core.eval.Evaluation;
import org.ddoq.core.eval.EvaluationReport;
import org.ddoq.core.eval.LabelledImages;
import org.ddoq.core.eval.StudentSettings;
import org.ddoq.core.eval.TeacherRecipe;
import org.ddoq.core.pipeline.PriorCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ddoq evaluate}: trains ConvNet students on distilled sets (and the baselines) with Spark
 * tasks and tests them on the real test split; writes EVAL/results.json and EVAL/results.md.
 */
@Command(
    name = "evaluate",
    description =
        "train students on distilled sets and baselines, test them on the real test split")
public final class EvaluateJob implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);

  private final StudentSettings defaults = StudentSettings.defaults();

  @Mixin Cli.HelpOption help;

  @Option(
      names = "--distilled",
      paramLabel = "[NAME=]OUT,...",
      required = true,
      description =
          "distilled sets (outputs of ddoq distill); NAME labels a set in the table (default: its"
              + " folder name)")
  String distilled;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      required = true,
      description =
          "the real dataset they were distilled from: its train split feeds the random baseline"
              + " and the teacher, its test split measures accuracy")
  String data;

  @Option(
      names = "--out",
      paramLabel = "EVAL",
      required = true,
      description =
          "where results.json and results.md go (must not hold results.json unless --overwrite)")
  String out;

  @Option(
      names = "--format",
      paramLabel = "auto|idx|folder|parquet",
      description =
          "layout of --data: idx (MNIST files), folder (ImageFolder), parquet (an image table in"
              + " the Hugging Face layout); auto finds out (default ${DEFAULT-VALUE})")
  Cli.Format format = Cli.Format.AUTO;

  @Option(
      names = "--labels",
      paramLabel = "hard|teacher",
      description =
          "hard: the sets' labels; teacher: soft labels from the teacher (--teacher, else a network"
              + " trained on the whole training split; default ${DEFAULT-VALUE})")
  Cli.Labels labels = Cli.Labels.HARD;

  @Option(
      names = "--teacher",
      paramLabel = "FILE.pt",
      description =
          "a TorchScript classifier to use as the teacher instead of the built-in one: input"
              + " float32 in [0,1] N x C x H x W, output logits in the data's class order; a"
              + " NAME.json or teachers.json beside it may name its classes (docs/evaluation.md)")
  String teacher;

  @Option(
      names = "--seeds",
      paramLabel = "N",
      description = "students per method (seeds 0..N-1; default ${DEFAULT-VALUE})")
  int seeds = 3;

  @Option(
      names = "--methods",
      paramLabel = "LIST",
      description = "comma-separated, any of ${DEFAULT-VALUE} (default: all)")
  String methods = String.join(",", Evaluation.METHODS);

  @Option(
      names = "--epochs",
      paramLabel = "N",
      description = "student training epochs (default ${DEFAULT-VALUE})")
  int epochs = defaults.epochs();

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description = "student batch size, capped at the set size (default ${DEFAULT-VALUE})")
  int batchSize = defaults.batchSize();

  @Option(
      names = "--lr",
      paramLabel = "LR",
      description =
          "SGD learning rate (cosine schedule to 0, momentum 0.9; default ${DEFAULT-VALUE})")
  double learningRate = defaults.learningRate();

  @Option(
      names = "--width",
      paramLabel = "W",
      description = "ConvNet width (128 in the literature; default ${DEFAULT-VALUE})")
  int width = defaults.width();

  @Option(
      names = "--augment",
      paramLabel = "dsa|none|LIST",
      description =
          "student augmentation: dsa = "
              + Augmentation.ALL
              + " (one per image; default ${DEFAULT-VALUE})")
  String augment = "dsa";

  @Option(
      names = "--temperature",
      paramLabel = "T",
      description = "softmax temperature of the teacher-label loss (default ${DEFAULT-VALUE})")
  double temperature = defaults.temperature();

  @Option(
      names = "--teacher-epochs",
      paramLabel = "N|auto",
      description =
          "epochs of the built-in teacher on the whole training split (auto: "
              + TeacherRecipe.COLOUR_EPOCHS
              + " for colour images, "
              + TeacherRecipe.GREYSCALE_EPOCHS
              + " for greyscale; docs/evaluation.md; default ${DEFAULT-VALUE})")
  String teacherEpochs = "auto";

  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      description = "where the teacher is cached (default ${DEFAULT-VALUE})")
  String cacheDir = PriorCache.defaultRoot().toString();

  @Option(
      names = "--overwrite",
      description =
          "replace EVAL's results if they exist (students finished under EVAL/students with the"
              + " same inputs are reused: delete it to train them again)")
  boolean overwrite;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master (default: spark-submit's, else local[*])")
  String master;

  @Mixin ImageLimitOption imageLimit = new ImageLimitOption();

  @Override
  public void run() {
    imageLimit.check();
    Augmentation augmentation;
    try {
      augmentation = Augmentation.parse(augment);
    } catch (IllegalArgumentException e) {
      throw new InputException("--augment: " + e.getMessage());
    }
    StudentSettings student =
        new StudentSettings(
            atLeast("--epochs", epochs, 1),
            atLeast("--batch-size", batchSize, 1),
            between("--lr", learningRate, 1e-9, 10),
            defaults.momentum(),
            defaults.weightDecay(),
            atLeast("--width", width, 1),
            defaults.depth(),
            (float) between("--temperature", temperature, 1e-3, 1000),
            augmentation);
    List<String> methodList =
        Arrays.stream(required("--methods", methods).split(",")).map(String::trim).toList();
    for (String m : methodList) {
      if (!Evaluation.METHODS.contains(m)) {
        throw new InputException(
            "--methods: unknown method '"
                + m
                + "'; accepted: "
                + String.join(", ", Evaluation.METHODS));
      }
    }
    Evaluation.Config config =
        new Evaluation.Config(
            methodList,
            atLeast("--seeds", seeds, 1),
            labels == Cli.Labels.TEACHER,
            student,
            Cli.integerOrAuto("--teacher-epochs", teacherEpochs, 1),
            0,
            Path.of(required("--cache-dir", cacheDir)),
            teacher == null ? null : Path.of(teacher));
    try (Sessions session = Sessions.create("ddoq evaluate", master);
        ImageLimitOption.Restore limit = imageLimit.applyTo(session.spark())) {
      Evaluation.Report report =
          run(
              session.spark(),
              required("--distilled", distilled),
              required("--data", data),
              format.toString(),
              required("--out", out),
              overwrite,
              config);
      System.out.println(
          "Wrote "
              + out
              + "/results.md and results.json ("
              + report.rows().size()
              + " methods, "
              + String.format("%.0f s", report.seconds())
              + ")");
    }
  }

  static Evaluation.Report run(
      SparkSession spark,
      String distilled,
      String data,
      String format,
      String out,
      boolean overwrite,
      Evaluation.Config config) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    checkTarget(conf, out, overwrite);
    Splits splits = Splits.read(spark, data, format, 0);
    LabelledImages train = splits.train();
    LabelledImages test = splits.test();
    ImageShape shape = train.shape();
    int classes = train.numClasses();
    List<Evaluation.NamedSet> sets = new ArrayList<>();
    for (String entry : distilled.split(",")) {
      String e = entry.trim();
      int eq = e.indexOf('=');
      String dir = eq > 0 ? e.substring(eq + 1) : e;
      String name = eq > 0 ? e.substring(0, eq) : new org.apache.hadoop.fs.Path(dir).getName();
      if (sets.stream().anyMatch(s -> s.name().equals(name))) {
        throw new InputException(
            "--distilled: two sets are named '" + name + "'; name them: dit=OUT1,vae=OUT2");
      }
      DistilledSet set = DistilledSet.read(conf, dir, shape, classes);
      checkSameData(set, shape, classes, data);
      sets.add(new Evaluation.NamedSet(name, set));
    }
    Evaluation.Report report =
        Evaluation.run(
            spark,
            sets,
            train,
            test,
            splits.classNames(),
            config,
            out,
            line -> LOG.info("{}", line));
    ObjectNode extra = new ObjectMapper().createObjectNode().put("data", data).put("out", out);
    extra
        .putArray("distilled")
        .addAll(
            sets.stream()
                .map(
                    s ->
                        new ObjectMapper()
                            .createObjectNode()
                            .put("name", s.name())
                            .put("dir", s.set().dir())
                            .put("images", s.set().images().length))
                .toList());
    EvaluationReport.write(conf, out, report, extra);
    return report;
  }

  /** A set distilled from other data would be tested against the wrong classes: refuse it. */
  private static void checkSameData(DistilledSet set, ImageShape shape, int classes, String data) {
    String distilledShape = set.summary().path("dataset").path("image_shape").asText("");
    int distilledClasses = set.summary().path("dataset").path("classes").asInt(classes);
    if ((!distilledShape.isEmpty() && !distilledShape.equals(shape.toString()))
        || distilledClasses != classes) {
      throw new InputException(
          set.dir()
              + " was distilled from "
              + distilledClasses
              + " classes of "
              + distilledShape
              + " images, but --data "
              + data
              + " has "
              + classes
              + " classes of "
              + shape
              + "; evaluate with the dataset the set was distilled from");
    }
  }

  private static void checkTarget(Configuration conf, String out, boolean overwrite) {
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(out);
      if (!overwrite
          && p.getFileSystem(conf).exists(new org.apache.hadoop.fs.Path(p, "results.json"))) {
        throw new InputException(
            out + " already holds results.json; choose a new --out or pass --overwrite");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
