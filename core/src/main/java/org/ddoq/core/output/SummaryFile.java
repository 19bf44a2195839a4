package org.ddoq.core.output;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code OUT/summary.json}, written and read back here, through Jackson (which Spark ships).
 * Written from the ordered map the pipeline builds (indented, '\n' at the end: the bytes distill
 * always wrote). Read back as that ordered map, so that decode can copy a summary with a few
 * entries replaced and keep every other one as it was, and as this typed view of the fields the
 * code reads, so that no reader casts; the view ignores the fields it does not name.
 *
 * @param parameters what distill was asked (ipc, seed)
 * @param prior the prior the set was made with
 * @param classes per class, its label and name
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SummaryFile(Parameters parameters, Prior prior, List<ClassEntry> classes) {
  /** The file name in OUT. */
  public static final String NAME = "summary.json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper PRETTY =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  /**
   * summary.json's "parameters": images per class (absent in hand-made sets) and the noise seed.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Parameters(Integer ipc, Long seed) {}

  /**
   * summary.json's "prior": its directory and latent shape (as {@code ImageShape.toString} wrote
   * it).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Prior(String path, @JsonProperty("latent_shape") String latentShape) {}

  /** One of summary.json's "classes". */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ClassEntry(int label, @JsonProperty("class_name") String className) {}

  /** The file's text for {@code summary}: indented JSON and a final '\n'. */
  public static String text(Map<String, Object> summary) throws JsonProcessingException {
    return PRETTY.writeValueAsString(summary) + "\n";
  }

  /**
   * OUT/summary.json as the ordered map it was written from (numbers as Integer, Long or Double).
   */
  public static Map<String, Object> readMap(FileSystem fs, String out) throws IOException {
    try (InputStream in = fs.open(new Path(out, NAME))) {
      return JSON.readValue(in, MAP);
    }
  }

  /** OUT/summary.json as a tree, for readers that walk optional fields (evaluate's reports). */
  public static JsonNode readTree(FileSystem fs, String out) throws IOException {
    try (InputStream in = fs.open(new Path(out, NAME))) {
      return JSON.readTree(in);
    }
  }

  /** The typed view of a summary read with {@link #readMap}. */
  public static SummaryFile view(Map<String, Object> summary) {
    return JSON.convertValue(summary, SummaryFile.class);
  }

  /**
   * A copy of one object of a summary read with {@link #readMap} (empty if absent), to change and
   * write again.
   */
  public static Map<String, Object> section(Map<String, Object> summary, String name) {
    Object section = summary.get(name);
    return section == null ? new LinkedHashMap<>() : JSON.convertValue(section, MAP);
  }
}
