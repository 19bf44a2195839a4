package org.ddoq.jobs;

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

/**
 * {@code ddoq evaluate}: trains ConvNet students on distilled sets (and the baselines) with Spark
 * tasks and tests them on the real test split; writes EVAL/results.json and EVAL/results.md.
 */
public final class EvaluateJob {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);

  private EvaluateJob() {}

  static Options options() {
    StudentSettings d = StudentSettings.defaults();
    return new Options("evaluate")
        .option(
            "distilled",
            "[NAME=]OUT,...",
            null,
            "distilled sets (outputs of ddoq distill); NAME labels a set in the table (default: its folder name)")
        .option(
            "data",
            "DIR",
            null,
            "the real dataset they were distilled from: its train split feeds the random baseline and the teacher, its test split measures accuracy")
        .option(
            "out",
            "EVAL",
            null,
            "where results.json and results.md go (must not hold results.json unless --overwrite)")
        .option("format", "auto|idx|folder", "auto", "layout of --data")
        .option(
            "labels",
            "hard|teacher",
            "hard",
            "hard: the sets' labels; teacher: soft labels from the teacher (--teacher, else a network trained on the whole training split)")
        .option(
            "teacher",
            "FILE.pt",
            null,
            "a TorchScript classifier to use as the teacher instead of the built-in one: input float32 in [0,1] N x C x H x W, output logits in the data's class order; a NAME.json or teachers.json beside it may name its classes (docs/evaluation.md)")
        .option("seeds", "N", "3", "students per method (seeds 0..N-1)")
        .option(
            "methods",
            "LIST",
            String.join(",", Evaluation.METHODS),
            "any of " + String.join(",", Evaluation.METHODS))
        .option("epochs", "N", String.valueOf(d.epochs()), "student training epochs")
        .option(
            "batch-size",
            "N",
            String.valueOf(d.batchSize()),
            "student batch size (capped at the set size)")
        .option(
            "lr",
            "LR",
            String.valueOf(d.learningRate()),
            "SGD learning rate (cosine schedule to 0, momentum 0.9)")
        .option("width", "W", String.valueOf(d.width()), "ConvNet width (128 in the literature)")
        .option(
            "augment",
            "dsa|none|LIST",
            "dsa",
            "student augmentation: dsa = " + Augmentation.ALL + " (one per image)")
        .option(
            "temperature",
            "T",
            String.valueOf(d.temperature()),
            "softmax temperature of the teacher-label loss")
        .option(
            "teacher-epochs",
            "N|auto",
            "auto",
            "epochs of the built-in teacher on the whole training split (auto: "
                + TeacherRecipe.forImages(new ImageShape(3, 32, 32)).settings().epochs()
                + " for colour images, "
                + TeacherRecipe.forImages(new ImageShape(1, 28, 28)).settings().epochs()
                + " for greyscale; docs/evaluation.md)")
        .option(
            "cache-dir", "DIR", PriorCache.defaultRoot().toString(), "where the teacher is cached")
        .flag(
            "overwrite",
            "replace EVAL's results if they exist (students finished under EVAL/students with the same inputs are reused: delete it to train them again)")
        .option("master", "URL", null, "Spark master (default: spark-submit's, else local[*])");
  }

  public static void main(String[] args) {
    Options o = options();
    if (!o.parseUnlessHelp(args)) {
      return;
    }
    StudentSettings d = StudentSettings.defaults();
    Augmentation augmentation;
    try {
      augmentation = Augmentation.parse(o.get("augment"));
    } catch (IllegalArgumentException e) {
      throw new InputException("--augment: " + e.getMessage());
    }
    StudentSettings student =
        new StudentSettings(
            o.integer("epochs", 1),
            o.integer("batch-size", 1),
            o.number("lr", 1e-9, 10),
            d.momentum(),
            d.weightDecay(),
            o.integer("width", 1),
            d.depth(),
            (float) o.number("temperature", 1e-3, 1000),
            augmentation);
    List<String> methods =
        Arrays.stream(o.required("methods").split(",")).map(String::trim).toList();
    for (String m : methods) {
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
            methods,
            o.integer("seeds", 1),
            o.oneOf("labels", "hard", "teacher").equals("teacher"),
            student,
            o.integerOrAuto("teacher-epochs", 1),
            0,
            Path.of(o.required("cache-dir")),
            o.get("teacher") == null ? null : Path.of(o.get("teacher")));
    try (Sessions session = Sessions.create("ddoq evaluate", o.get("master"))) {
      Evaluation.Report report =
          run(
              session.spark(),
              o.required("distilled"),
              o.required("data"),
              o.get("format"),
              o.required("out"),
              o.flagSet("overwrite"),
              config);
      System.out.println(
          "Wrote "
              + o.required("out")
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
