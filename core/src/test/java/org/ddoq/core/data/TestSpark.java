package org.ddoq.core.data;

import org.apache.spark.sql.SparkSession;

/**
 * One local[2] session for all reader tests in the JVM: starting Spark costs ~8 s, so it is started
 * once.
 */
final class TestSpark {
  private static SparkSession session;

  private TestSpark() {}

  static synchronized SparkSession get() {
    if (session == null) {
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("ddoq-data-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "4")
              .getOrCreate();
    }
    return session;
  }
}
