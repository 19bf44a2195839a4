package org.ddoq.core.output;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import com.univocity.parsers.csv.CsvWriter;
import com.univocity.parsers.csv.CsvWriterSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.ddoq.core.data.InputException;

/**
 * {@code OUT/manifest.csv}, written and read here only: one row per distilled image, in label then
 * cluster order, with the columns {@code path,label,class_name,cluster,count,weight}. RFC 4180
 * through univocity-parsers (which Spark already ships): a field is quoted only when it holds a
 * comma, a quote or a line break, quotes doubled, '\n' line ends, UTF-8; so a manifest without such
 * class names has the same bytes as the hand-written ones before this class, and class names with
 * commas, quotes, line breaks, surrounding spaces or non-ASCII characters read back unchanged.
 *
 * @param rows the images, in file order
 */
public record Manifest(List<Manifest.Row> rows) {
  /** The file name in OUT. */
  public static final String NAME = "manifest.csv";

  /** The header row: the output contract's columns. */
  public static final List<String> COLUMNS =
      List.of("path", "label", "class_name", "cluster", "count", "weight");

  public Manifest {
    rows = List.copyOf(rows);
  }

  /**
   * One distilled image.
   *
   * @param path relative to OUT ({@link ClassFolders#imagePath})
   * @param label the class's label
   * @param className the class's name as the input named it
   * @param cluster the centroid's index within its class
   * @param count training images in the centroid's Voronoi cell
   * @param weight the centroid's weight within its class (written with {@link Double#toString},
   *     read back exactly)
   */
  public record Row(
      String path, int label, String className, int cluster, long count, double weight) {
    /** A row whose path is the image distill writes for this label and cluster. */
    public static Row of(
        ClassFolders folders, int label, String className, int cluster, long count, double weight) {
      return new Row(folders.imagePath(label, cluster), label, className, cluster, count, weight);
    }
  }

  /** The file's text: header, then one line per row, each ending in '\n'. */
  public String toCsv() {
    StringWriter text = new StringWriter();
    CsvWriter csv = new CsvWriter(text, writerSettings());
    csv.writeRow(COLUMNS);
    for (Row r : rows) {
      csv.writeRow(
          r.path(),
          Integer.toString(r.label()),
          r.className(),
          Integer.toString(r.cluster()),
          Long.toString(r.count()),
          Double.toString(r.weight()));
    }
    csv.close();
    return text.toString();
  }

  /** Writes OUT/manifest.csv (UTF-8), replacing one that is there. */
  public void write(FileSystem fs, String out) throws IOException {
    try (OutputStream stream = OutputFiles.create(fs, new Path(out, NAME))) {
      stream.write(toCsv().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Reads OUT/manifest.csv; refuses a missing or damaged file naming it and the row. */
  public static Manifest read(FileSystem fs, String out) throws IOException {
    Path file = new Path(out, NAME);
    if (!fs.exists(file)) {
      throw new InputException(file + " is missing; the directory is not a `ddoq distill` output");
    }
    try (InputStream in = fs.open(file)) {
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), file.toString());
    }
  }

  /**
   * Parses a manifest's text; {@code source} names it in errors. Blank lines are skipped, '\r\n'
   * line ends are accepted (a manifest saved by a spreadsheet or an editor still loads).
   */
  public static Manifest parse(String text, String source) {
    List<String[]> records = new CsvParser(parserSettings()).parseAll(new StringReader(text));
    if (records.isEmpty()
        || !COLUMNS.equals(Arrays.stream(records.get(0)).map(Manifest::trimmed).toList())) {
      throw new InputException(
          source
              + " does not start with '"
              + String.join(",", COLUMNS)
              + "'; it is not a `ddoq distill` manifest");
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 1; i < records.size(); i++) {
      String[] f = records.get(i);
      String where = source + " row " + (i + 1);
      if (f.length != COLUMNS.size()) {
        throw new InputException(
            where
                + " has "
                + f.length
                + " fields, expected "
                + COLUMNS.size()
                + ": "
                + Arrays.toString(f)
                + "; the manifest was edited or damaged, run distill again");
      }
      try {
        rows.add(
            new Row(
                f[0],
                Integer.parseInt(f[1]),
                f[2],
                Integer.parseInt(f[3]),
                Long.parseLong(f[4]),
                Double.parseDouble(f[5])));
      } catch (NumberFormatException e) {
        throw new InputException(
            where
                + ": label, cluster and count must be integers and weight a number, got '"
                + f[1]
                + "', '"
                + f[3]
                + "', '"
                + f[4]
                + "', '"
                + f[5]
                + "'; the manifest was edited or damaged, run distill again");
      }
    }
    return new Manifest(rows);
  }

  private static String trimmed(String field) {
    return field == null ? "" : field.trim();
  }

  private static CsvWriterSettings writerSettings() {
    CsvWriterSettings s = new CsvWriterSettings();
    s.getFormat().setLineSeparator("\n");
    s.setQuoteEscapingEnabled(
        true); // quote fields holding '"' too (RFC 4180), as the manifest always did
    s.setIgnoreLeadingWhitespaces(false);
    s.setIgnoreTrailingWhitespaces(false);
    s.setNormalizeLineEndingsWithinQuotes(false);
    return s;
  }

  private static CsvParserSettings parserSettings() {
    CsvParserSettings s = new CsvParserSettings();
    s.setLineSeparatorDetectionEnabled(true);
    s.getFormat().setComment('\0'); // '#' is an ordinary character in a class name
    s.setIgnoreLeadingWhitespaces(false);
    s.setIgnoreTrailingWhitespaces(false);
    s.setNormalizeLineEndingsWithinQuotes(false);
    s.setNullValue("");
    s.setEmptyValue("");
    s.setMaxCharsPerColumn(-1);
    return s;
  }
}
