package org.ddoq.core.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The first n images of a dataset in a seeded pseudo-random order of their ids.
 *
 * <p>Why not {@code limit(n)}: an ImageFolder's ids follow its class folders, so the first 2,000 of
 * CIFAR-10's test split are all airplanes and automobiles, and a capped training set would hold
 * only the first classes. Ordering by a hash of the id spreads any n over every class in
 * proportion, and the same ids come back on every run (the hash depends only on the id and the
 * seed).
 */
public final class SpreadSample {
  private SpreadSample() {}

  /**
   * At most {@code n} rows of {@code rows} (which must have {@link ImageRows#ID}), spread over the
   * source order.
   */
  public static Dataset<Row> take(Dataset<Row> rows, int n, long seed) {
    if (n < 0) {
      throw new IllegalArgumentException("sample size must not be negative, got " + n);
    }
    return rows.orderBy(xxhash64(col(ImageRows.ID), lit(seed)), col(ImageRows.ID)).limit(n);
  }
}
