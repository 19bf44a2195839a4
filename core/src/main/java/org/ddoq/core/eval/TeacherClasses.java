package org.ddoq.core.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ddoq.core.data.InputException;

/**
 * The class names an imported teacher's JSON gives, so that a teacher of other classes (or another
 * class order) is refused instead of silently giving wrong soft labels. Looked up beside the
 * teacher file:
 *
 * <ol>
 *   <li>{@code NAME.json} for {@code NAME.pt}: {@code {"classes": ["airplane", ...]}};
 *   <li>else {@code teachers.json} in the same folder: the entry of {@code "teachers"} whose {@code
 *       "file"} is the teacher's file name, with its own {@code "classes"} or the top-level {@code
 *       "classes"} (the layout of shared/data/teachers/teachers.json); a teachers.json without
 *       {@code "teachers"} names the classes of every file in the folder, one that does not list
 *       the file says nothing.
 * </ol>
 */
final class TeacherClasses {
  static final String SHARED = "teachers.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private TeacherClasses() {}

  /** The class names, in logit order; empty when no JSON names them. */
  static List<String> beside(Path teacher) {
    String name = teacher.getFileName().toString();
    Path own =
        teacher.resolveSibling(
            (name.endsWith(".pt") ? name.substring(0, name.length() - 3) : name) + ".json");
    if (Files.isRegularFile(own)) {
      return classes(own, read(own).path("classes"));
    }
    Path shared = teacher.resolveSibling(SHARED);
    if (!Files.isRegularFile(shared)) {
      return List.of();
    }
    JsonNode root = read(shared);
    if (root.path("teachers").isMissingNode()) {
      return classes(shared, root.path("classes"));
    }
    for (JsonNode entry : root.path("teachers")) {
      if (name.equals(entry.path("file").asText())) {
        return classes(shared, entry.has("classes") ? entry.path("classes") : root.path("classes"));
      }
    }
    return List.of();
  }

  private static JsonNode read(Path json) {
    try {
      return JSON.readTree(json.toFile());
    } catch (IOException e) {
      throw new InputException(
          json
              + " (the teacher's class names) is not valid JSON ("
              + e.getMessage().lines().findFirst().orElse("")
              + "); fix it or remove it");
    }
  }

  private static List<String> classes(Path json, JsonNode node) {
    List<String> names = new ArrayList<>();
    for (JsonNode n : node) {
      names.add(n.asText());
    }
    if (!node.isArray() || names.isEmpty()) {
      throw new InputException(
          json
              + " names no classes for the teacher: give \"classes\": [\"name of logit 0\","
              + " \"name of logit 1\", ...], or remove the file");
    }
    return List.copyOf(names);
  }
}
