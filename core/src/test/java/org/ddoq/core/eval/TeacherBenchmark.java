package org.ddoq.core.eval;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.ImageDataset;
import org.ddoq.core.data.ImageSources;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Measurements of teachers on the real CIFAR-10 JPEGs (not tests: they print numbers for
 * docs/benchmarks.md and docs/evaluation.md). Data from -Dddoq.cifar (default /tmp/s8/cifar, the
 * unpacked ../shared/data/cifar10_jpg.tar.gz), teachers from -Dddoq.teachers:
 * {@code OMP_NUM_THREADS=1 mvn -o -B -pl core test -Dtest=TeacherBenchmark#sharedTeachers -Dddoq.excludedGroups=}
 */
@Tag("slow")
class TeacherBenchmark {
  private static final Path CIFAR = Path.of(System.getProperty("ddoq.cifar", "/tmp/s8/cifar"));
  private static final Path TEACHERS = Path.of(System.getProperty("ddoq.teachers", "/work/shared/data/teachers"));

  /** The shared ResNets' test accuracy through the import path of {@code evaluate --teacher}. */
  @Test
  void sharedTeachers() {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("teacher-benchmark")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      ImageDataset split = ImageSources.read(spark, CIFAR.toString(), "auto", "test", null);
      LabelledImages test = LabelledImages.collect(split, split.classNames().size());
      for (String file : List.of("cifar10_resnet20_teacher.pt", "cifar10_resnet56_teacher.pt")) {
        ImportedTeacher t = ImportedTeacher.read(TEACHERS.resolve(file), split.classNames(), test, line -> {});
        System.out.printf("%s: test accuracy %.2f %% on %d test images (%.0f s, sha256 %s)%n", file,
            100 * t.testAccuracy(), test.size(), t.seconds(), t.sha256());
      }
    } finally {
      spark.stop();
    }
  }
}
