package org.ddoq.core.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** The driver's progress count: classes of the tracked job's finished tasks, and no other job's. */
class QuantizeProgressTest extends SparkTestBase {

  @Test
  void countsTheClassesOfEachFinishedGroupOfTheTrackedJobOnly() throws InterruptedException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    QuantizeProgress progress = QuantizeProgress.track(spark.sparkContext(), new int[] {2, 3, 4});
    try {
      // A job with a shuffle, as the fits: only its last stage's three tasks count.
      jsc.parallelize(List.of(1, 2, 3, 4, 5, 6), 2)
          .mapToPair(i -> new scala.Tuple2<>(i % 3, i))
          .groupByKey(3)
          .collect();
      waitFor(progress, 9);
      assertEquals(9, progress.fitted());
    } finally {
      progress.close();
    }
    jsc.parallelize(List.of(1, 2, 3), 3).collect(); // not tracked any more
    Thread.sleep(500);
    assertEquals(9, progress.fitted());
  }

  private static void waitFor(QuantizeProgress progress, int classes) throws InterruptedException {
    for (int i = 0; i < 100 && progress.fitted() < classes; i++) {
      Thread.sleep(100);
    }
  }
}
