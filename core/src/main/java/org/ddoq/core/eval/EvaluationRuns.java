package org.ddoq.core.eval;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every (method, seed) student training of an evaluation as one Spark task: the test split, the
 * teacher and the soft-label tables go out once as broadcasts, each task trains and tests one
 * student, and only the accuracies come back. With teacher labels, a set several students train on
 * (the uniform, mass and sqrt rows, every seed) first gets its table of the teacher's logits, one
 * Spark task per set ({@link SoftLabels}). On a cluster the trainings spread over the executors;
 * within one JVM they take turns (DJL allows one training at a time per JVM, see {@link
 * StudentTraining}), each with all cores.
 */
public final class EvaluationRuns {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluationRuns.class);

  private EvaluationRuns() {}

  /**
   * One student to train: the set it learns from, the seed of its initialisation, batches and
   * augmentation.
   */
  public record Run(String method, int seed, LabelledImages set) implements Serializable {}

  /** What one run measured; {@code resumed}: read back from an earlier, stopped evaluation. */
  public record Result(
      String method, int seed, double accuracy, double seconds, int images, boolean resumed)
      implements Serializable {}

  /**
   * Runs them all and returns results in the order of {@code runs}.
   *
   * @param teacherOrNull soft labels from this teacher; null for hard labels
   * @param finishedOrNull where finished students are recorded and read back from; null: nowhere
   */
  public static List<Result> run(
      SparkSession spark,
      List<Run> runs,
      LabelledImages test,
      StudentSettings settings,
      Teacher teacherOrNull,
      FinishedStudents finishedOrNull) {
    List<Result> results = new ArrayList<>();
    List<Run> toTrain = new ArrayList<>();
    for (Run run : runs) {
      Optional<Result> earlier =
          finishedOrNull == null ? Optional.empty() : finishedOrNull.read(run);
      earlier.ifPresentOrElse(results::add, () -> toTrain.add(run));
    }
    if (!results.isEmpty()) {
      LOG.info(
          "{} of {} students finished in an earlier run of this evaluation ({}); training the other {}",
          results.size(),
          runs.size(),
          finishedOrNull.dir(),
          toTrain.size());
    }
    if (!toTrain.isEmpty()) {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      Broadcast<LabelledImages> testSet = jsc.broadcast(test);
      Broadcast<Teacher> teacher = teacherOrNull == null ? null : jsc.broadcast(teacherOrNull);
      Broadcast<Map<String, SoftLabels.Table>> tables =
          teacher == null ? null : jsc.broadcast(tables(jsc, toTrain, settings, teacher));
      results.addAll(
          jsc.parallelize(toTrain, toTrain.size())
              .map(
                  run -> {
                    Result r =
                        execute(
                            run,
                            testSet.value(),
                            settings,
                            teacher == null ? null : teacher.value(),
                            tables == null ? null : tables.value().get(id(run)));
                    if (finishedOrNull != null) {
                      finishedOrNull.write(run, r);
                    }
                    return r;
                  })
              .collect());
      testSet.destroy();
      if (teacher != null) {
        teacher.destroy();
        tables.destroy();
      }
    }
    List<String> order = runs.stream().map(EvaluationRuns::id).toList();
    results.sort(Comparator.comparingInt(r -> order.indexOf(r.method() + "#" + r.seed())));
    return results;
  }

  /**
   * The soft-label table of every run whose set other pending runs share, by {@link #id}: one Spark
   * task per shared set runs the teacher over all its views (in turn with trainings, like them).
   */
  private static Map<String, SoftLabels.Table> tables(
      JavaSparkContext jsc,
      List<Run> toTrain,
      StudentSettings settings,
      Broadcast<Teacher> teacher) {
    List<List<Run>> groups = SoftLabels.sharing(toTrain, settings);
    Map<String, SoftLabels.Table> byRun = new HashMap<>();
    if (groups.isEmpty()) {
      return byRun;
    }
    long start = System.nanoTime();
    List<SoftLabels.Table> tables =
        jsc.parallelize(groups.stream().map(g -> g.get(0).set()).toList(), groups.size())
            .map(
                set -> {
                  synchronized (StudentTraining.TRAINING_LOCK) {
                    try (Model model = teacher.value().newModel()) {
                      Block net =
                          teacher
                              .value()
                              .load(
                                  model,
                                  new Shape(
                                      1,
                                      set.shape().channels(),
                                      set.shape().height(),
                                      set.shape().width()));
                      return SoftLabels.Table.compute(set, settings, net);
                    }
                  }
                })
            .collect();
    for (int g = 0; g < groups.size(); g++) {
      for (Run run : groups.get(g)) {
        byRun.put(id(run), tables.get(g));
      }
    }
    LOG.info(
        "soft labels: the teacher's logits for {} epochs of views of {} set(s), computed once for their {}"
            + " students ({} s); the other {} student(s) compute theirs online",
        settings.epochs(),
        groups.size(),
        byRun.size(),
        String.format("%.0f", (System.nanoTime() - start) / 1e9),
        toTrain.size() - byRun.size());
    return byRun;
  }

  private static String id(Run run) {
    return run.method() + "#" + run.seed();
  }

  /**
   * Trains and tests one student (on an executor). Its seconds count from its turn at the JVM's
   * training lock, not from the task's start: in local mode two tasks start together and one waits.
   */
  static Result execute(
      Run run,
      LabelledImages test,
      StudentSettings settings,
      Teacher teacher,
      SoftLabels.Table tableOrNull) {
    synchronized (StudentTraining.TRAINING_LOCK) {
      long start = System.nanoTime();
      String name = run.method() + " seed " + run.seed();
      LOG.info("{}: training on {} images", name, run.set().size());
      boolean online = teacher != null && tableOrNull == null;
      try (Model teacherModel = online ? teacher.newModel() : null) {
        SoftLabels labels =
            !online
                ? tableOrNull
                : SoftLabels.online(
                    teacher.load(
                        teacherModel,
                        new Shape(
                            1,
                            test.shape().channels(),
                            test.shape().height(),
                            test.shape().width())));
        try (Model student =
                StudentTraining.train(
                    run.set(),
                    settings,
                    run.seed(),
                    labels,
                    line -> LOG.info("{}: {}", name, line));
            NDManager m = NDManager.newBaseManager()) {
          double accuracy = StudentTraining.accuracy(student.getBlock(), m, test);
          double seconds = (System.nanoTime() - start) / 1e9;
          LOG.info(
              "{}: test accuracy {} ({} s)",
              name,
              String.format("%.4f", accuracy),
              String.format("%.0f", seconds));
          return new Result(run.method(), run.seed(), accuracy, seconds, run.set().size(), false);
        }
      }
    }
  }
}
