package org.ddoq.core.data;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a reader returns: the image rows (schema {@link ImageRows#SCHEMA}), their common shape, the
 * class names indexed by label, and the inputs that were skipped with the reason for each.
 *
 * @param rows valid images only; lazily computed, persisted by the reader when decoding is costly
 * @param shape the shape every row's image has
 * @param classNames class name of label i at index i
 * @param skipped inputs that were not read, each with what to do about it; empty when all were read
 * @param format "idx", "folder" or "parquet"
 */
public record ImageDataset(
    Dataset<Row> rows,
    ImageShape shape,
    List<String> classNames,
    List<Skipped> skipped,
    String format)
    implements Serializable {

  /** One input that was skipped: which file (or file#index) and why. */
  public record Skipped(String source, String reason) implements Serializable {}
}
