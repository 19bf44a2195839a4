package org.ddoq.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of core depend on each other one way only (data and quantize at the bottom; prior,
 * diffusion, output, stage and eval above them; pipeline on top), read from the sources' imports
 * and fully qualified names: a cycle makes a package impossible to understand or test on its own,
 * and it creeps in one convenient import at a time.
 */
class LayeringTest {
  private static final Path SOURCES =
      Path.of(System.getProperty("basedir", "."), "src/main/java/org/ddoq/core");
  private static final Pattern REFERENCE = Pattern.compile("org\\.ddoq\\.core\\.([a-z]+)\\.");

  @Test
  void corePackagesFormNoCycle() {
    Map<String, Set<String>> uses = packageGraph();
    assertTrue(uses.size() >= 8, "read the packages of " + SOURCES + ": " + uses.keySet());
    List<String> cycle = findCycle(uses);
    assertTrue(
        cycle.isEmpty(),
        "packages depend on each other in a cycle: "
            + String.join(" -> ", cycle)
            + " (all edges: "
            + uses
            + ")");
  }

  @Test
  void theLowestLayersUseNothingAbove() {
    Map<String, Set<String>> uses = packageGraph();
    assertEquals(Set.of(), uses.get("data"), "data reads images and depends on no other package");
    assertEquals(Set.of(), uses.get("quantize"), "quantize is plain arithmetic on latents");
    assertTrue(
        !uses.get("stage").contains("pipeline") && !uses.get("eval").contains("pipeline"),
        "only the pipeline puts the stages together: " + uses);
  }

  static Map<String, Set<String>> packageGraph() {
    Map<String, Set<String>> uses = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String own = SOURCES.relativize(file).getName(0).toString();
        Set<String> used = uses.computeIfAbsent(own, p -> new TreeSet<>());
        Matcher m = REFERENCE.matcher(Files.readString(file));
        while (m.find()) {
          if (!m.group(1).equals(own)) {
            used.add(m.group(1));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return uses;
  }

  /** A cycle as the packages along it, or empty (depth-first search, three colours). */
  static List<String> findCycle(Map<String, Set<String>> uses) {
    Map<String, Integer> state = new TreeMap<>();
    for (String start : uses.keySet()) {
      List<String> path = new ArrayList<>();
      if (visit(start, uses, state, path)) {
        return path;
      }
    }
    return List.of();
  }

  private static boolean visit(
      String p, Map<String, Set<String>> uses, Map<String, Integer> state, List<String> path) {
    int s = state.getOrDefault(p, 0);
    if (s == 2) {
      return false;
    }
    path.add(p);
    if (s == 1) {
      path.subList(0, path.indexOf(p)).clear();
      return true;
    }
    state.put(p, 1);
    for (String q : uses.getOrDefault(p, Set.of())) {
      if (visit(q, uses, state, path)) {
        return true;
      }
    }
    state.put(p, 2);
    path.remove(path.size() - 1);
    return false;
  }

  @Test
  void theCycleFinderFindsACycle() {
    assertEquals(
        List.of("a", "b", "a"),
        findCycle(new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("a")))));
    assertEquals(List.of(), findCycle(Map.of("a", Set.of("b"), "b", Set.of())));
  }
}
