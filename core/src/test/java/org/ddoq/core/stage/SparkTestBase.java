package org.ddoq.core.stage;

import org.apache.spark.sql.SparkSession;
import org.ddoq.core.TestSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One local Spark session per test class (start-up costs seconds; tests share it). */
public abstract class SparkTestBase {
  protected static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = TestSpark.start("ddoq-test");
  }

  @AfterAll
  static void stopSpark() {
    TestSpark.stop();
    spark = null;
  }
}
