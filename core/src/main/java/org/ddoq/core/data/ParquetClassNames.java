package org.ddoq.core.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The class names of a Parquet image table, label i naming class i. Sources, first that applies:
 *
 * <ol>
 *   <li>the {@code huggingface} key of the first file's footer metadata, which Hugging Face's
 *       {@code datasets} writes: {@code info.features.label.names} of a ClassLabel;
 *   <li>a {@value #CLASSES_JSON} beside the files or in DIR: a JSON list of names in label order,
 *       or an object whose {@code "names"} is that list;
 *   <li>a string column {@code class_name}: each label's one name, read with the rows;
 *   <li>the label numbers "0".."n-1", with a warning saying how to name them.
 * </ol>
 *
 * The first two are known before any row is read ({@link #declared}); the last two only from the
 * rows ({@link #fromRows}).
 */
final class ParquetClassNames {
  /** The file that names the classes when the footer does not. */
  static final String CLASSES_JSON = "classes.json";

  private static final Logger LOG = LoggerFactory.getLogger(ParquetClassNames.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  // Listing more classes than this in one error message would bury its advice.
  private static final int LISTED = 10;

  private ParquetClassNames() {}

  /** Names declared before the rows, and where they were found (for messages). */
  record Declared(List<String> names, String origin) {}

  /** The footer's or classes.json's names; null when neither has them. */
  static Declared declared(FileSystem fs, Configuration conf, Path root, List<Path> files)
      throws IOException {
    Path first = files.get(0);
    List<String> fromFooter = footerNames(conf, first);
    if (fromFooter != null) {
      return checked(
          new Declared(fromFooter, "the 'huggingface' metadata in the footer of " + first));
    }
    for (Path json :
        List.of(new Path(first.getParent(), CLASSES_JSON), new Path(root, CLASSES_JSON))) {
      if (fs.isFile(json)) {
        return checked(new Declared(jsonNames(fs, json), json.toString()));
      }
    }
    return null;
  }

  /**
   * Names from the labels and class names the rows carry ({@code labelNames}: each label seen, with
   * every class name seen with it): the {@code class_name} column's, or the label numbers when
   * {@code fromColumn} is false.
   *
   * @throws InputException when a label has two names, a label below the largest has no image, or
   *     two labels share a name
   */
  static List<String> fromRows(
      Map<Integer, Set<String>> labelNames, boolean fromColumn, String table) {
    int n = labelNames.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    List<Integer> unseen = new ArrayList<>();
    for (int label = 0; label < n && unseen.size() <= LISTED; label++) {
      if (!labelNames.containsKey(label)) {
        unseen.add(label);
      }
    }
    if (!unseen.isEmpty()) {
      throw new InputException(
          table
              + " has labels up to "
              + (n - 1)
              + " but no decodable image with label "
              + listed(unseen)
              + "; labels must be 0..n-1 with images in every class (renumber them, or name the"
              + " classes in a "
              + CLASSES_JSON
              + " so the reader can say which class is empty)");
    }
    List<String> names = new ArrayList<>(n);
    for (int label = 0; label < n; label++) {
      Set<String> seen = labelNames.get(label);
      if (seen.size() > 1) {
        throw new InputException(
            table
                + ": label "
                + label
                + " has several class_name values "
                + new TreeSet<>(seen)
                + "; give each label one class_name");
      }
      names.add(seen.iterator().next());
    }
    if (!fromColumn) {
      LOG.warn(
          "{} names no classes: they are called \"0\"..\"{}\" after their labels. To name them, put a"
              + " {} beside the Parquet files (a JSON list of names in label order), or add a string"
              + " column class_name",
          table,
          n - 1,
          CLASSES_JSON);
    }
    return checked(new Declared(names, table + "'s class_name column")).names();
  }

  /** The labels in {@code labels} as "3, 7 and 9", at most {@link #LISTED} of them. */
  static String listed(List<?> labels) {
    List<String> shown = labels.stream().limit(LISTED).map(String::valueOf).toList();
    if (shown.size() == 1) {
      return shown.get(0);
    }
    String more = labels.size() > LISTED ? ", ..." : "";
    return String.join(", ", shown.subList(0, shown.size() - 1))
        + more
        + " and "
        + shown.get(shown.size() - 1);
  }

  private static List<String> footerNames(Configuration conf, Path file) throws IOException {
    String metadata;
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
      metadata = reader.getFileMetaData().getKeyValueMetaData().get("huggingface");
    } catch (IOException | RuntimeException e) {
      // parquet-mr reports some damaged footers as unchecked exceptions.
      if (e instanceof IOException io
          && StorageErrors.explain(file.toString(), "reading", io)
              instanceof InputException storage) {
        throw storage;
      }
      throw new InputException(
          "could not read the footer of "
              + file
              + " ("
              + e.getMessage()
              + "); if the file is damaged, copy it again or remove it",
          e);
    }
    if (metadata == null) {
      return null;
    }
    try {
      JsonNode names = JSON.readTree(metadata).at("/info/features/label/names");
      return names.isArray() ? strings(names) : null;
    } catch (JsonProcessingException e) {
      // The table itself is fine; only this hint about it is unusable, and the next source may do.
      LOG.warn(
          "the 'huggingface' footer metadata of {} is not JSON ({}); looking for the class names"
              + " elsewhere",
          file,
          e.getOriginalMessage());
      return null;
    }
  }

  private static List<String> jsonNames(FileSystem fs, Path file) throws IOException {
    String expected =
        "; write a JSON list of the class names in label order, e.g. [\"cat\", \"dog\"], or"
            + " {\"names\": [\"cat\", \"dog\"]}";
    JsonNode node;
    try (InputStream in = fs.open(file)) {
      node = JSON.readTree(in);
    } catch (JsonProcessingException e) {
      throw new InputException(file + " is not JSON (" + e.getOriginalMessage() + ")" + expected);
    }
    if (node != null && node.isObject()) {
      node = node.get("names");
    }
    if (node == null || !node.isArray() || !allText(node)) {
      throw new InputException(file + " holds no list of names" + expected);
    }
    return strings(node);
  }

  private static boolean allText(JsonNode array) {
    for (JsonNode element : array) {
      if (!element.isTextual()) {
        return false;
      }
    }
    return true;
  }

  private static List<String> strings(JsonNode array) {
    List<String> names = new ArrayList<>();
    array.forEach(element -> names.add(element.asText()));
    return List.copyOf(names);
  }

  /** Refuses no names, blank names and a name given twice: each class becomes its own folder. */
  private static Declared checked(Declared d) {
    if (d.names().isEmpty()) {
      throw new InputException(d.origin() + " names no classes; list one name per label");
    }
    Set<String> seen = new HashSet<>();
    for (int label = 0; label < d.names().size(); label++) {
      String name = d.names().get(label);
      if (name.isBlank()) {
        throw new InputException(
            d.origin() + " gives label " + label + " a blank class name; name every class");
      }
      if (!seen.add(name)) {
        throw new InputException(
            d.origin()
                + " names two classes '"
                + name
                + "' (the second is label "
                + label
                + "); give each class its own name");
      }
    }
    return d;
  }
}
