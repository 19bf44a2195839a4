package org.ddoq.core.eval;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.ImageDataset;
import org.ddoq.core.data.ImageSources;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Measurements of teachers on the real CIFAR-10 JPEGs (not tests: they print numbers for
 * docs/benchmarks.md and docs/evaluation.md). Data from -Dddoq.cifar (default /tmp/s8/cifar, the
 * unpacked ../shared/data/cifar10_jpg.tar.gz), teachers from -Dddoq.teachers: {@code
 * OMP_NUM_THREADS=1 mvn -o -B -pl core test -Dtest=TeacherBenchmark#sharedTeachers
 * -Dddoq.excludedGroups=} (or {@code #teacherShareOfAStudentStep}).
 */
@Tag("slow")
class TeacherBenchmark {
  private static final Path CIFAR = Path.of(System.getProperty("ddoq.cifar", "/tmp/s8/cifar"));
  private static final Path TEACHERS =
      Path.of(System.getProperty("ddoq.teachers", "/work/shared/data/teachers"));

  /**
   * What the teacher's forward pass adds to a student's training step, at CIFAR-10's shape and
   * batch 100: the ConvNet-3 teacher (built-in) and the shared ResNet-20/56 (TorchScript), against
   * the ConvNet-3 student's training step. Medians of 5 interleaved rounds.
   */
  @Test
  void teacherShareOfAStudentStep() throws Exception {
    Shape input = new Shape(100, 3, 32, 32);
    double[][] rates = new double[4][5];
    for (int round = 0; round < 5; round++) {
      rates[0][round] = StudentSpeedBenchmark.speed(ConvNet.build(10, 128, 3), input, true);
      rates[1][round] = StudentSpeedBenchmark.speed(ConvNet.build(10, 128, 3), input, false);
      rates[2][round] = torchScriptSpeed("cifar10_resnet20_teacher.pt", input);
      rates[3][round] = torchScriptSpeed("cifar10_resnet56_teacher.pt", input);
    }
    String[] names = {
      "student ConvNet-3 training step",
      "teacher ConvNet-3 forward",
      "teacher ResNet-20 forward",
      "teacher ResNet-56 forward"
    };
    double student = median(rates[0]);
    for (int i = 0; i < 4; i++) {
      double perBatch = 100 / median(rates[i]);
      System.out.printf(
          "%-34s %6.0f img/s  %5.0f ms per batch of 100%s%n",
          names[i],
          median(rates[i]),
          1000 * perBatch,
          i == 0
              ? ""
              : String.format(
                  "  = %.0f %% of a teacher-labelled student's time",
                  100 * perBatch / (perBatch + 100 / student)));
    }
  }

  private static double torchScriptSpeed(String file, Shape input) throws IOException {
    byte[] bytes = Files.readAllBytes(TEACHERS.resolve(file));
    ImportedTeacher teacher = new ImportedTeacher(bytes, file, file, 10, List.of(), Double.NaN, 0);
    try (Model model = teacher.newModel();
        NDManager m = NDManager.newBaseManager()) {
      Block net = teacher.load(model, input);
      ParameterStore store = new ParameterStore(m, false);
      long start = 0;
      for (int i = 0; i < 8; i++) {
        if (i == 2) {
          start = System.nanoTime();
        }
        try (NDManager sub = m.newSubManager()) {
          net.forward(store, new NDList(sub.randomUniform(-1, 1, input)), false)
              .singletonOrThrow()
              .toFloatArray();
        }
      }
      return 6 * input.get(0) / ((System.nanoTime() - start) / 1e9);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** The shared ResNets' test accuracy through the import path of {@code evaluate --teacher}. */
  @Test
  void sharedTeachers() {
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("teacher-benchmark")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    try {
      ImageDataset split = ImageSources.read(spark, CIFAR.toString(), "auto", "test", null);
      LabelledImages test = LabelledImages.collect(split, split.classNames().size());
      for (String file : List.of("cifar10_resnet20_teacher.pt", "cifar10_resnet56_teacher.pt")) {
        ImportedTeacher t =
            ImportedTeacher.read(TEACHERS.resolve(file), split.classNames(), test, line -> {});
        System.out.printf(
            "%s: test accuracy %.2f %% on %d test images (%.0f s, sha256 %s)%n",
            file, 100 * t.testAccuracy(), test.size(), t.seconds(), t.sha256());
      }
    } finally {
      spark.stop();
    }
  }
}
