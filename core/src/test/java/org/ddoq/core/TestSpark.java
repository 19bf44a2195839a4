package org.ddoq.core;

import org.apache.spark.sql.SparkSession;

/**
 * The one Spark fixture of the tests (core's and, through core's test jar, the CLI's): a local[2]
 * session without UI and with 4 shuffle partitions, as small as the test data. A test class starts
 * it in {@code @BeforeAll} and stops it in {@code @AfterAll}, so a class that needs other settings
 * (a cluster, s3a) can build its own session after it.
 */
public final class TestSpark {
  private static SparkSession session;

  private TestSpark() {}

  /** The session, started now if none is running; {@code name} shows in Spark's logs. */
  public static synchronized SparkSession start(String name) {
    session =
        SparkSession.builder()
            .master("local[2]")
            .appName(name)
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
    return session;
  }

  /** Stops the running session, if any. */
  public static synchronized void stop() {
    if (session != null) {
      session.stop();
      session = null;
    }
  }
}
