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

  /**
   * One console line about the skipped inputs: how many, the first {@code shown} with their
   * reasons, and where all of them are listed; "" when none was skipped.
   *
   * @param listedIn where the full list is, e.g. "OUT/summary.json (dataset.skipped)"
   */
  public String skippedLine(int shown, String listedIn) {
    if (skipped.isEmpty()) {
      return "";
    }
    StringBuilder line =
        new StringBuilder()
            .append(skipped.size())
            .append(skipped.size() == 1 ? " input skipped: " : " inputs skipped: ");
    for (int i = 0; i < Math.min(shown, skipped.size()); i++) {
      Skipped s = skipped.get(i);
      line.append(i == 0 ? "" : "; ")
          .append(s.source())
          .append(" (")
          .append(s.reason())
          .append(')');
    }
    if (skipped.size() > shown) {
      line.append("; and ").append(skipped.size() - shown).append(" more");
    }
    return line.append("; all with their reasons in ").append(listedIn).toString();
  }

  /** One input that was skipped: which file (or file#index) and why. */
  public record Skipped(String source, String reason) implements Serializable {}
}
