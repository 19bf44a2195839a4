package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** `ddoq evaluate` on a set distilled from the real Fashion-MNIST slice, with a narrow, short student. */
class EvaluateEndToEndTest extends CliTestBase {
  private static Path distilled;

  @BeforeAll
  static void distill() {
    distilled = root.resolve("distilled-ipc2");
    Run r = ddoq("distill", "--input", slice.toString(), "--prior", prior.toString(), "--ipc", "2",
        "--out", distilled.toString());
    assertEquals(0, r.status(), r.err());
  }

  private static String[] evaluate(Path out, String labels, String... more) {
    List<String> args = new ArrayList<>(List.of("evaluate", "--distilled", "fm=" + distilled, "--data",
        slice.toString(), "--out", out.toString(), "--labels", labels, "--seeds", "2", "--epochs", "4",
        "--width", "16", "--teacher-epochs", "1", "--cache-dir", root.resolve("cache").toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void teacherThenHardLabelsWriteEveryMethodAndReuseTheTeacher() throws IOException {
    Path teacherOut = root.resolve("eval-teacher");
    Run r = ddoq(evaluate(teacherOut, "teacher"));
    assertEquals(0, r.status(), r.err());
    JsonNode json = new ObjectMapper().readTree(teacherOut.resolve("results.json").toFile());
    assertEquals("teacher", json.path("settings").path("labels").asText());
    List<String> methods = new ArrayList<>();
    for (JsonNode m : json.path("methods")) {
      methods.add(m.path("method").asText());
      int expectedRuns = m.path("method").asText().equals("whole") ? 1 : 2;
      assertEquals(expectedRuns, m.path("runs").size(), m.toString());
      for (JsonNode run : m.path("runs")) {
        double a = run.path("accuracy").asDouble();
        assertTrue(a >= 0 && a <= 1, m.toString());
      }
      if (!m.path("method").asText().equals("whole")) {
        assertEquals(2, m.path("ipc").asInt(), m.toString());
      }
    }
    assertEquals(List.of("random", "uniform", "mass", "sqrt", "whole"), methods);
    // The distilled images are the same for uniform/mass/sqrt; only the weights differ.
    JsonNode w2 = json.path("latent_w2").get(0);
    assertTrue(w2.path("weighted_w2").asDouble() <= w2.path("uniform_w2").asDouble() + 1e-9, w2.toString());
    assertFalse(json.path("teacher").path("from_cache").asBoolean());
    String md = Files.readString(teacherOut.resolve("results.md"));
    assertTrue(md.contains("| DDOQ mass | fm | 2 | mass |") && md.contains("whole training set"), md);
    // The teacher's verdict on the distilled images: one share per class (2 images each), and overall.
    JsonNode recognised = json.path("teacher_recognition").get(0);
    assertEquals("fm", recognised.path("set").asText());
    double sum = 0;
    for (JsonNode c : recognised.path("per_class")) {
      double share = c.path("recognised").asDouble();
      assertTrue(share == 0 || share == 0.5 || share == 1, "2 images per class: " + c);
      sum += share;
    }
    assertEquals(10, recognised.path("per_class").size());
    assertEquals("Ankle boot", recognised.path("per_class").get(9).path("class_name").asText());
    assertEquals(sum / 10, recognised.path("overall").asDouble(), 1e-9, "equal classes: overall = mean share");
    assertTrue(md.contains("| set | all | T-shirt/top | Trouser |"), md);

    Path hardOut = root.resolve("eval-hard");
    r = ddoq(evaluate(hardOut, "hard", "--methods", "random,mass,whole"));
    assertEquals(0, r.status(), r.err());
    JsonNode hard = new ObjectMapper().readTree(hardOut.resolve("results.json").toFile());
    assertEquals(3, hard.path("methods").size());
    assertTrue(hard.path("teacher").path("from_cache").asBoolean(), "the teacher of the first run is reused");
    assertEquals(json.path("teacher").path("test_accuracy").asDouble(),
        hard.path("teacher").path("test_accuracy").asDouble(), 0.0);

    r = ddoq(evaluate(hardOut, "hard"));
    assertEquals(2, r.status());
    assertTrue(r.err().contains("already holds results.json"), r.err());
  }

  @Test
  void badInputIsRefusedWithWhatToDo() throws IOException {
    Run r = ddoq(evaluate(root.resolve("eval-bad1"), "hard", "--methods", "random,best"));
    assertEquals(2, r.status());
    assertTrue(r.err().contains("unknown method 'best'"), r.err());

    Path unfinished = root.resolve("unfinished");
    Files.createDirectories(unfinished);
    Files.writeString(unfinished.resolve("manifest.csv"), "path,label,class_name,cluster,count,weight\n");
    r = ddoq("evaluate", "--distilled", unfinished.toString(), "--data", slice.toString(), "--out",
        root.resolve("eval-bad2").toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("no _SUCCESS"), r.err());

    Path damaged = root.resolve("damaged");
    copy(distilled, damaged);
    String firstImage = Files.readAllLines(damaged.resolve("manifest.csv")).get(1).split(",")[0];
    Files.write(damaged.resolve(firstImage), new byte[] {1, 2, 3});
    r = ddoq("evaluate", "--distilled", damaged.toString(), "--data", slice.toString(), "--out",
        root.resolve("eval-bad3").toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains(firstImage), r.err());
  }

  private static void copy(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
