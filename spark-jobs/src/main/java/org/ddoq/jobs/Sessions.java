package org.ddoq.jobs;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession of one sub-command, and whether the command owns it (and so stops it at the
 * end).
 */
record Sessions(SparkSession spark, boolean owned) implements AutoCloseable {

  /**
   * Reuses a session that already runs in this JVM (a notebook's, a test's) and leaves it running;
   * otherwise builds one: {@code --master} wins, else whatever spark-submit or spark-defaults set,
   * else local mode on all cores, the embedded default.
   */
  static Sessions create(String appName, String master) {
    if (SparkSession.getDefaultSession().isDefined()) {
      return new Sessions(SparkSession.getDefaultSession().get(), false);
    }
    SparkConf conf = new SparkConf();
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (master != null && !master.isBlank()) {
      builder.master(master);
    } else if (!conf.contains("spark.master")) {
      builder.master("local[*]");
    }
    if (!conf.contains("spark.sql.shuffle.partitions")) {
      // Per-class work is small per row: 200 shuffle partitions would be mostly empty tasks.
      builder.config("spark.sql.shuffle.partitions", "16");
    }
    if (!conf.contains("spark.ui.showConsoleProgress") && System.console() != null) {
      // Spark's stage progress bar, for a person at a terminal (it would clutter logs and CI).
      builder.config("spark.ui.showConsoleProgress", "true");
    }
    return new Sessions(builder.getOrCreate(), true);
  }

  @Override
  public void close() {
    if (owned) {
      spark.stop();
    }
  }
}
