package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * `ddoq evaluate` on a set distilled from the real Fashion-MNIST slice, with a narrow, short
 * student.
 */
class EvaluateEndToEndTest extends CliTestBase {
  private static Path distilled;

  @BeforeAll
  static void distill() {
    distilled = root.resolve("distilled-ipc2");
    Run r =
        ddoq(
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            prior.toString(),
            "--ipc",
            "2",
            "--out",
            distilled.toString());
    assertEquals(0, r.status(), r.err());
  }

  private static String[] evaluate(Path out, String labels, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "evaluate",
                "--distilled",
                "fm=" + distilled,
                "--data",
                slice.toString(),
                "--out",
                out.toString(),
                "--labels",
                labels,
                "--seeds",
                "2",
                "--epochs",
                "4",
                "--width",
                "16",
                "--teacher-epochs",
                "1",
                "--cache-dir",
                root.resolve("cache").toString()));
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
    // Every distilled row is scored by its gain over the random subset of the same IPC
    // (DD-Ranking).
    JsonNode random = json.path("methods").get(0);
    JsonNode mass = json.path("methods").get(2);
    assertEquals(
        100 * (mass.path("mean").asDouble() - random.path("mean").asDouble()),
        mass.path("gain_over_random").asDouble(),
        1e-9);
    assertTrue(
        random.path("gain_over_random").isMissingNode()
            && json.path("methods").get(4).path("gain_over_random").isMissingNode(),
        "no gain for random and whole");
    // The distilled images are the same for uniform/mass/sqrt; only the weights differ.
    JsonNode w2 = json.path("latent_w2").get(0);
    assertTrue(
        w2.path("weighted_w2").asDouble() <= w2.path("uniform_w2").asDouble() + 1e-9,
        w2.toString());
    assertFalse(json.path("teacher").path("from_cache").asBoolean());
    String md = Files.readString(teacherOut.resolve("results.md"));
    assertTrue(
        md.contains("| DDOQ mass | fm | 2 | mass |") && md.contains("whole training set"), md);
    // The teacher's verdict on the distilled images: one share per class (2 images each), and
    // overall.
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
    assertEquals(
        sum / 10,
        recognised.path("overall").asDouble(),
        1e-9,
        "equal classes: overall = mean share");
    assertTrue(md.contains("| set | all | T-shirt/top | Trouser |"), md);

    Path hardOut = root.resolve("eval-hard");
    r = ddoq(evaluate(hardOut, "hard", "--methods", "random,mass,whole"));
    assertEquals(0, r.status(), r.err());
    JsonNode hard = new ObjectMapper().readTree(hardOut.resolve("results.json").toFile());
    assertEquals(3, hard.path("methods").size());
    assertTrue(
        hard.path("teacher").path("from_cache").asBoolean(),
        "the teacher of the first run is reused");
    assertEquals(
        json.path("teacher").path("test_accuracy").asDouble(),
        hard.path("teacher").path("test_accuracy").asDouble(),
        0.0);

    r = ddoq(evaluate(hardOut, "hard"));
    assertEquals(2, r.status());
    assertTrue(r.err().contains("already holds results.json"), r.err());
  }

  @Test
  void aCancelledEvaluationResumesWithItsFinishedStudents() throws Exception {
    Path out = root.resolve("eval-resume");
    Path students = out.resolve("students");
    String[] args = evaluate(out, "hard", "--methods", "random,uniform,mass,sqrt", "--seeds", "3");
    // Stop the evaluation as a notebook's cancel or a lost driver would: once the first student is
    // recorded.
    Thread cancel =
        new Thread(
            () -> {
              try {
                while (!Files.isDirectory(students) || countRecords(students) == 0) {
                  Thread.sleep(20);
                }
                spark.sparkContext().cancelAllJobs();
              } catch (InterruptedException | IOException e) {
                Thread.currentThread().interrupt();
              }
            });
    cancel.start();
    // A cancelled job is no input error: it propagates, as it does out of spark-submit's main.
    assertThrows(SparkException.class, () -> ddoq(args));
    cancel.join(60_000);
    assertFalse(Files.exists(out.resolve("results.json")), "no results from a stopped evaluation");
    long finished = countRecords(students);
    assertTrue(
        finished >= 1 && finished < 12, finished + " of 12 students recorded before the cancel");

    // A record whose inputs differ (here: a forged fingerprint) must be trained again, not trusted.
    Path forged;
    try (var files = Files.list(students)) {
      forged =
          files
              .filter(f -> f.getFileName().toString().endsWith(".json"))
              .sorted()
              .findFirst()
              .orElseThrow();
    }
    JsonNode original = new ObjectMapper().readTree(forged.toFile());
    Files.writeString(
        forged, original.toString().replace(original.path("fingerprint").asText(), "0".repeat(64)));
    // Without its Hadoop checksum, so the fingerprint, not a checksum error, is what refuses it.
    Files.deleteIfExists(students.resolve("." + forged.getFileName() + ".crc"));

    Run resumed = ddoq(args);
    assertEquals(0, resumed.status(), resumed.err());
    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    int reused = 0;
    int runs = 0;
    for (JsonNode m : json.path("methods")) {
      for (JsonNode run : m.path("runs")) {
        runs++;
        reused += run.path("resumed").asBoolean() ? 1 : 0;
        // Records name the run id METHOD@SET (one set here) and the seed.
        if (original.path("method").asText().startsWith(m.path("method").asText() + "@")
            && original.path("seed").asInt() == run.path("seed").asInt()) {
          assertFalse(run.path("resumed").asBoolean(), "the forged record was trusted: " + run);
        }
      }
    }
    assertEquals(12, runs);
    // The student in flight at the cancel may record itself after the command returned: hence >=.
    assertTrue(
        reused >= finished - 1 && reused >= 1 && reused <= 11,
        reused + " read back, " + finished + " recorded");
    assertTrue(
        Files.readString(out.resolve("results.md")).contains(reused + " students were read back"));
    assertEquals(12, countRecords(students), "the retrained students are recorded too");

    // Other settings (more epochs) change every fingerprint: nothing is reused.
    String[] longer =
        evaluate(
            out,
            "hard",
            "--methods",
            "random,uniform,mass,sqrt",
            "--seeds",
            "3",
            "--epochs",
            "5",
            "--overwrite");
    Run retrained = ddoq(longer);
    assertEquals(0, retrained.status(), retrained.err());
    assertFalse(
        new ObjectMapper()
            .readTree(out.resolve("results.json").toFile())
            .toString()
            .contains("\"resumed\":true"),
        "a student trained for 4 epochs is not a 5-epoch result");
  }

  /**
   * `ddoq train-teacher` fills the cache entry that `evaluate --data` then reads, instead of
   * training again.
   */
  @Test
  void trainTeacherTrainsTheTeacherThatEvaluateUses() throws IOException {
    Path cache = root.resolve("cache-train-teacher");
    Run r =
        ddoq(
            "train-teacher",
            "--data",
            slice.toString(),
            "--epochs",
            "1",
            "--cache-dir",
            cache.toString());
    assertEquals(0, r.status(), r.err());
    Path out = root.resolve("eval-after-train-teacher");
    List<String> args = new ArrayList<>(List.of(evaluate(out, "hard", "--methods", "whole")));
    args.set(args.indexOf("--cache-dir") + 1, cache.toString());
    r = ddoq(args.toArray(String[]::new));
    assertEquals(0, r.status(), r.err());
    JsonNode teacher =
        new ObjectMapper().readTree(out.resolve("results.json").toFile()).path("teacher");
    assertTrue(teacher.path("from_cache").asBoolean(), teacher.toString());
    assertEquals("built-in", teacher.path("source").asText());
    assertTrue(
        teacher.path("settings").asText().contains("augmentation=shift+flip"), teacher.toString());
  }

  /**
   * `--teacher FILE`: a TorchScript teacher (tiny_teacher.py, trained on Fashion-MNIST images)
   * gives the soft labels, the whole row and the recognition table, and its sha256 is in the
   * students' fingerprints.
   */
  @Test
  void anImportedTeacherGivesTheSoftLabelsTheWholeRowAndTheFingerprint() throws Exception {
    Path folder = Files.createDirectories(root.resolve("teachers"));
    Path good = TinyTeacher.write(folder.resolve("tiny.pt"), "--epochs", "3");
    Path other = TinyTeacher.write(folder.resolve("other.pt"), "--epochs", "1");
    Files.writeString(
        folder.resolve("teachers.json"),
        "{\"classes\": [\"T-shirt/top\", \"Trouser\", \"Pullover\","
            + " \"Dress\", \"Coat\", \"Sandal\", \"Shirt\", \"Sneaker\", \"Bag\", \"Ankle boot\"]}");
    Path out = root.resolve("eval-imported");
    String[] args =
        evaluate(
            out,
            "teacher",
            "--methods",
            "mass,whole",
            "--seeds",
            "1",
            "--teacher",
            good.toString());
    Run r = ddoq(args);
    assertEquals(0, r.status(), r.err());
    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    JsonNode teacher = json.path("teacher");
    assertEquals("imported", teacher.path("source").asText());
    assertEquals(good.toString(), teacher.path("path").asText());
    assertEquals(64, teacher.path("sha256").asText().length());
    double accuracy = teacher.path("test_accuracy").asDouble();
    assertTrue(accuracy > 0.5, "tiny teacher on the 200 test images: " + accuracy);
    JsonNode whole = json.path("methods").get(1);
    assertEquals("whole", whole.path("method").asText());
    assertEquals("imported teacher tiny.pt", whole.path("set").asText());
    assertEquals(
        accuracy,
        whole.path("mean").asDouble(),
        0.0,
        "the whole row is the imported teacher's accuracy");
    assertEquals(10, json.path("teacher_recognition").get(0).path("per_class").size());
    String md = Files.readString(out.resolve("results.md"));
    assertTrue(
        md.contains("| imported teacher | tiny.pt | - | - |")
            && md.contains("imported, test" + " accuracy")
            && md.contains(teacher.path("sha256").asText()),
        md);

    // Same teacher again: the student is read back; another teacher file: trained again.
    String[] again =
        java.util.stream.Stream.concat(
                java.util.Arrays.stream(args), java.util.stream.Stream.of("--overwrite"))
            .toArray(String[]::new);
    assertEquals(0, ddoq(again).status());
    assertTrue(
        new ObjectMapper()
            .readTree(out.resolve("results.json").toFile())
            .at("/methods/0/runs/0/resumed")
            .asBoolean(),
        "same teacher file: the finished student is reused");
    again[java.util.Arrays.asList(again).indexOf(good.toString())] = other.toString();
    assertEquals(0, ddoq(again).status());
    assertFalse(
        new ObjectMapper()
            .readTree(out.resolve("results.json").toFile())
            .at("/methods/0/runs/0/resumed")
            .asBoolean(),
        "another teacher's soft labels make another student");
  }

  @Test
  void anImportedTeacherForOtherDataIsRefusedWithOneLine() throws Exception {
    Path folder = Files.createDirectories(root.resolve("teachers-bad"));
    Path colour =
        TinyTeacher.write(folder.resolve("colour.pt"), "--epochs", "0", "--channels", "3");
    Run r =
        ddoq(
            evaluate(root.resolve("eval-imported-bad"), "teacher", "--teacher", colour.toString()));
    assertEquals(2, r.status(), r.err());
    assertTrue(
        r.err()
            .startsWith(
                "ddoq evaluate: error: the teacher " + colour + " cannot take this data's images"),
        r.err());
    assertEquals(1, r.err().lines().filter(l -> l.startsWith("ddoq evaluate")).count(), r.err());
    Path missing = folder.resolve("missing.pt");
    r =
        ddoq(
            evaluate(
                root.resolve("eval-imported-bad"), "teacher", "--teacher", missing.toString()));
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("--teacher " + missing + " cannot be read"), r.err());
  }

  private static long countRecords(Path students) throws IOException {
    try (var files = Files.list(students)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
    }
  }

  @Test
  void badInputIsRefusedWithWhatToDo() throws IOException {
    Run r = ddoq(evaluate(root.resolve("eval-bad1"), "hard", "--methods", "random,best"));
    assertEquals(2, r.status());
    assertTrue(r.err().contains("unknown method 'best'"), r.err());

    Path unfinished = root.resolve("unfinished");
    Files.createDirectories(unfinished);
    Files.writeString(
        unfinished.resolve("manifest.csv"), "path,label,class_name,cluster,count,weight\n");
    r =
        ddoq(
            "evaluate",
            "--distilled",
            unfinished.toString(),
            "--data",
            slice.toString(),
            "--out",
            root.resolve("eval-bad2").toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("no _SUCCESS"), r.err());

    Path damaged = root.resolve("damaged");
    copy(distilled, damaged);
    String firstImage = Files.readAllLines(damaged.resolve("manifest.csv")).get(1).split(",")[0];
    Files.write(damaged.resolve(firstImage), new byte[] {1, 2, 3});
    r =
        ddoq(
            "evaluate",
            "--distilled",
            damaged.toString(),
            "--data",
            slice.toString(),
            "--out",
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
