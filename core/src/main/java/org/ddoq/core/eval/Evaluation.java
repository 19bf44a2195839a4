package org.ddoq.core.eval;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.quantize.CentroidWeights;

/**
 * One evaluation: every requested method trained with every seed under one label protocol, against
 * the same real test split, plus the teacher (= the whole training set) row. Methods:
 *
 * <ul>
 *   <li>{@code random}: a random real subset with the distilled set's images per class (new draw
 *       per seed);
 *   <li>{@code uniform}: the distilled images with weight 1/k per class (D4M's barycenter);
 *   <li>{@code mass}: with the Voronoi masses (DDOQ);
 *   <li>{@code sqrt}: with sqrt(count) normalised (DDOQ, variance-reduced);
 *   <li>{@code whole}: the whole training split, trained once (it is the teacher; one seed), or the
 *       imported teacher's test accuracy when the user brings one.
 * </ul>
 *
 * With several distilled sets (e.g. DiT- and VAE-decoded) each weighted method runs once per set.
 */
public final class Evaluation {
  public static final List<String> METHODS = List.of("random", "uniform", "mass", "sqrt", "whole");

  private Evaluation() {}

  /** A distilled set under the name it has in the results (e.g. "dit", "vae"). */
  public record NamedSet(String name, DistilledSet set) implements Serializable {}

  /**
   * @param teacherLabels soft labels from the teacher (true) or the sets' hard labels (false)
   * @param seeds students per method; seeds are 0..seeds-1
   * @param teacherEpochs the built-in teacher's epochs; null: {@link TeacherRecipe#forImages}'s for
   *     the data
   * @param importedTeacher a TorchScript teacher file ({@link ImportedTeacher}) instead of the
   *     built-in one; null: the built-in teacher, trained with {@code teacherSeed}
   */
  public record Config(
      List<String> methods,
      int seeds,
      boolean teacherLabels,
      StudentSettings student,
      Integer teacherEpochs,
      long teacherSeed,
      Path cacheDir,
      Path importedTeacher) {
    /** The built-in teacher's recipe for images of {@code shape}. */
    public TeacherRecipe teacherRecipe(ImageShape shape) {
      return TeacherRecipe.forImages(shape, teacherEpochs);
    }
  }

  /** One row of the results table. */
  public record MethodResult(
      String method, String set, int ipc, String weights, List<EvaluationRuns.Result> runs) {
    public double mean() {
      return runs.stream()
          .mapToDouble(EvaluationRuns.Result::accuracy)
          .average()
          .orElse(Double.NaN);
    }

    /** Population standard deviation over seeds (numpy's default, as DC/DSA report). */
    public double std() {
      double m = mean();
      return Math.sqrt(
          runs.stream()
              .mapToDouble(r -> (r.accuracy() - m) * (r.accuracy() - m))
              .average()
              .orElse(Double.NaN));
    }
  }

  /**
   * {@code recognition}: per set, how many of its images the teacher recognises (empty without a
   * teacher).
   */
  public record Report(
      Config config,
      List<NamedSet> sets,
      Teacher teacher,
      List<MethodResult> rows,
      List<Recognition> recognition,
      double seconds) {}

  /**
   * @param classNames the data's class names, label order (an imported teacher's must match)
   * @param outOrNull the evaluation's folder: finished students are recorded under it, so a stopped
   *     evaluation resumes ({@link FinishedStudents}); null: not recorded
   */
  public static Report run(
      SparkSession spark,
      List<NamedSet> sets,
      LabelledImages train,
      LabelledImages test,
      List<String> classNames,
      Config config,
      String outOrNull,
      Consumer<String> progress) {
    long start = System.nanoTime();
    for (String m : config.methods()) {
      if (!METHODS.contains(m)) {
        throw new IllegalArgumentException(
            "unknown method '" + m + "'; accepted: " + String.join(", ", METHODS));
      }
    }
    boolean needTeacher =
        config.teacherLabels()
            || config.methods().contains("whole")
            || config.importedTeacher() != null;
    Teacher teacher =
        !needTeacher
            ? null
            : config.importedTeacher() != null
                ? ImportedTeacher.read(config.importedTeacher(), classNames, test, progress)
                : BuiltInTeacher.trainOrLoad(
                    config.cacheDir(),
                    train,
                    test,
                    config.teacherRecipe(train.shape()),
                    config.teacherSeed(),
                    progress);
    // Run id -> its table row (runs filled in once the students are back).
    Map<String, MethodResult> described = new LinkedHashMap<>();
    List<EvaluationRuns.Run> runs = new ArrayList<>();
    List<Integer> randomIpcs = new ArrayList<>();
    for (NamedSet named : sets) {
      int ipc = named.set().imagesPerClass();
      for (String method : config.methods()) {
        if (method.equals("random") && !randomIpcs.contains(ipc)) {
          randomIpcs.add(ipc);
          String id = "random@ipc" + ipc;
          described.put(
              id, new MethodResult("random", "real training images", ipc, "uniform", List.of()));
          for (int seed = 0; seed < config.seeds(); seed++) {
            runs.add(new EvaluationRuns.Run(id, seed, RandomSubset.draw(train, ipc, seed)));
          }
        } else if (method.equals("uniform") || method.equals("mass") || method.equals("sqrt")) {
          String id = method + "@" + named.name();
          described.put(id, new MethodResult(method, named.name(), ipc, method, List.of()));
          LabelledImages set =
              named
                  .set()
                  .asTrainingSet(
                      train.shape(), train.numClasses(), CentroidWeights.Scheme.parse(method));
          for (int seed = 0; seed < config.seeds(); seed++) {
            runs.add(new EvaluationRuns.Run(id, seed, set));
          }
        }
      }
    }
    progress.accept(
        runs.size()
            + " student trainings ("
            + described.size()
            + " methods x "
            + config.seeds()
            + " seeds), "
            + (config.teacherLabels() ? "teacher" : "hard")
            + " labels");
    Teacher labelTeacher = config.teacherLabels() ? teacher : null;
    List<EvaluationRuns.Result> results =
        EvaluationRuns.run(
            spark,
            runs,
            test,
            config.student(),
            labelTeacher,
            outOrNull == null
                ? null
                : new FinishedStudents(
                    spark.sparkContext().hadoopConfiguration(),
                    outOrNull,
                    test,
                    config.student(),
                    labelTeacher));
    List<MethodResult> rows = new ArrayList<>();
    for (Map.Entry<String, MethodResult> e : described.entrySet()) {
      MethodResult d = e.getValue();
      rows.add(
          new MethodResult(
              d.method(),
              d.set(),
              d.ipc(),
              d.weights(),
              results.stream().filter(r -> r.method().equals(e.getKey())).toList()));
    }
    if (config.methods().contains("whole")) {
      rows.add(wholeRow(teacher, config.teacherSeed()));
    }
    List<Recognition> recognition = new ArrayList<>();
    if (teacher != null) {
      for (NamedSet named : sets) {
        recognition.add(
            Recognition.of(
                named.name(),
                named
                    .set()
                    .asTrainingSet(
                        train.shape(), train.numClasses(), CentroidWeights.Scheme.parse("uniform")),
                teacher));
      }
    }
    return new Report(config, sets, teacher, rows, recognition, (System.nanoTime() - start) / 1e9);
  }

  /**
   * The teacher's test accuracy as the row "whole training set", or "imported teacher FILE" for one
   * brought.
   */
  private static MethodResult wholeRow(Teacher teacher, long seed) {
    if (teacher instanceof ImportedTeacher t) {
      return new MethodResult(
          "whole",
          "imported teacher " + Path.of(t.path()).getFileName(),
          -1,
          "uniform",
          List.of(new EvaluationRuns.Result("whole", 0, t.testAccuracy(), t.seconds(), 0, false)));
    }
    BuiltInTeacher t = (BuiltInTeacher) teacher;
    return new MethodResult(
        "whole",
        "whole training set",
        -1,
        "uniform",
        List.of(
            new EvaluationRuns.Result(
                "whole", (int) seed, t.testAccuracy(), t.seconds(), t.trainImages(), false)));
  }
}
