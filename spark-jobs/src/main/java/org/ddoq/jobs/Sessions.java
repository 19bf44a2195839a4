package org.ddoq.jobs;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Builds the SparkSession of one sub-command. */
final class Sessions {
  private Sessions() {}

  /**
   * {@code --master} wins; else whatever spark-submit or spark-defaults set; else local mode on all cores,
   * the embedded default.
   */
  static SparkSession create(String appName, String master) {
    SparkConf conf = new SparkConf();
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (master != null && !master.isBlank()) {
      builder.master(master);
    } else if (!conf.contains("spark.master")) {
      builder.master("local[*]");
    }
    if (!conf.contains("spark.sql.shuffle.partitions")) {
      // The data here is per-class and small per row: 200 shuffle partitions would be mostly empty tasks.
      builder.config("spark.sql.shuffle.partitions", "16");
    }
    return builder.getOrCreate();
  }
}
