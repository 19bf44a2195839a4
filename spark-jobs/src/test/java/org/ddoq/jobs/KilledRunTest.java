package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a distill killed ({@code kill -9}) during k-means or during decode resumes with {@code
 * --resume} to the bytes of a run never stopped, its output never half-visible meanwhile; Ctrl-C
 * stops it in seconds with one line. The killed runs are real separate JVMs ({@link DriverJvm}).
 */
class KilledRunTest extends CliTestBase {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aRunKilledDuringKMeansResumesToTheSameBytes(@TempDir Path dir) throws Exception {
    Path whole = dir.resolve("whole");
    // --resume on an OUT that does not exist starts the run (what a scheduler's retry passes).
    assertEquals(0, ddoq(args(whole, "--resume")).status());

    Path out = dir.resolve("killed");
    Process p = start(dir.resolve("killed.log"), args(out));
    awaitThenStop(p, () -> logHas(dir.resolve("killed.log"), "ClassQuantizer: Quantizing"), "-9");
    assertEquals(List.of("_run"), names(out), "nothing of the set is visible before it is whole");

    Run plain = ddoq(args(out));
    assertEquals(2, plain.status());
    assertTrue(plain.err().contains("run the same command with --resume"), plain.err());
    assertEquals(1, plain.err().lines().count(), plain.err());
    Run other = ddoq(withIpc(args(out, "--resume"), "3"));
    assertEquals(2, other.status());
    assertTrue(other.err().contains("ipc: 2 then, 3 now"), other.err());

    assertEquals(0, ddoq(args(out, "--resume")).status());
    String after = summary(out).path("resumed_after").asText();
    assertTrue(after.equals("encoded") || after.equals("quantized"), after);
    assertSameSet(whole, out);
    Run finished = ddoq(args(out, "--resume"));
    assertEquals(2, finished.status());
    assertTrue(
        finished.err().contains("holds a finished distill (_SUCCESS), nothing to resume"),
        finished.err());
    // A scheduler's flags: what cannot be continued is replaced.
    assertEquals(0, ddoq(args(out, "--resume", "--overwrite")).status());
    assertTrue(summary(out).path("resumed_after").isMissingNode(), "a new run");
    assertSameSet(whole, out);
  }

  @Test
  void aRunKilledDuringDecodeResumesFromItsCentroids(@TempDir Path dir) throws Exception {
    Path whole = dir.resolve("whole");
    assertEquals(0, ddoq(args(whole, "--decoder", "vae")).status());
    Path out = dir.resolve("killed");
    Process p = start(dir.resolve("killed.log"), args(out, "--decoder", "vae"));
    awaitThenStop(p, () -> Files.exists(out.resolve("_run/quantized")), "-9");
    assertEquals(List.of("_run"), names(out), "nothing of the set is visible before it is whole");

    // A scheduler's flags: what can be continued is.
    assertEquals(0, ddoq(args(out, "--decoder", "vae", "--resume", "--overwrite")).status());
    assertEquals("quantized", summary(out).path("resumed_after").asText());
    assertFalse(Files.exists(out.resolve("_run")), "the checkpoints go when the set is whole");
    assertSameSet(whole, out);
  }

  @Test
  void ctrlCStopsTheRunInSecondsWithOneLineOnHowToResume(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("stopped.log");
    Path out = dir.resolve("stopped");
    // The VAE decoder keeps seconds of work after k-means starts: with the nearest images a loaded
    // machine once let the whole run end between the log line and the signal (exit 0, not 130).
    Process p = start(log, args(out, "--decoder", "vae"));
    long stopped = awaitThenStop(p, () -> logHas(log, "ClassQuantizer: Quantizing"), "-INT");
    assertTrue(stopped < 10_000, "stopped in " + stopped + " ms");
    assertEquals(130, p.exitValue());
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    String last = lines.get(lines.size() - 1);
    assertTrue(last.startsWith("ddoq distill: interrupted; " + out + " keeps"), last);
    assertTrue(last.contains("run the same command with --resume"), last);
    assertFalse(
        String.join("\n", lines).contains("You hit a bug in Spark"), "no Spark stack traces");
  }

  @Test
  void aPriorTrainingKilledAfterAnEpochContinuesFromItsCheckpoint(@TempDir Path dir)
      throws Exception {
    Path cache = dir.resolve("cache");
    String[] args = {
      "distill",
      "--input",
      slice.toString(),
      "--ipc",
      "2",
      "--out",
      dir.resolve("out").toString(),
      "--cache-dir",
      cache.toString(),
      "--prior-epochs",
      "2",
      "--prior-max-images",
      "600"
    };
    Path log = dir.resolve("killed.log");
    Process p = start(log, args);
    awaitThenStop(p, () -> logHas(log, "epoch 1/2 done"), "-9");
    try (Stream<Path> entries = Files.list(cache.resolve("priors"))) {
      Path partial = entries.filter(e -> e.toString().endsWith(".partial")).findFirst().get();
      assertTrue(Files.exists(partial.resolve("vae-checkpoint.bin")), "epoch 1 is kept");
    }
    try (LogCapture captured = new LogCapture()) {
      String[] resumed = java.util.Arrays.copyOf(args, args.length + 1);
      resumed[args.length] = "--resume";
      assertEquals(0, ddoq(resumed).status());
      assertTrue(
          captured.lines().stream()
              .anyMatch(l -> l.contains("resuming the VAE after epoch 1 of 2")),
          "the VAE's training went on from its checkpoint");
    }
    try (Stream<Path> entries = Files.list(cache.resolve("priors"))) {
      List<Path> left = entries.filter(e -> !Files.isSymbolicLink(e)).toList();
      assertEquals(1, left.size(), "one finished prior, no leftovers: " + left);
      assertFalse(Files.exists(left.get(0).resolve("vae-checkpoint.bin")));
    }
  }

  /** distill on the slice with the test prior, 2 images per class, into {@code out}. */
  private static String[] args(Path out, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "distill",
                "--input",
                slice.toString(),
                "--prior",
                prior.toString(),
                "--ipc",
                "2",
                "--out",
                out.toString()));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  private static String[] withIpc(String[] args, String ipc) {
    String[] copy = args.clone();
    copy[List.of(copy).indexOf("--ipc") + 1] = ipc;
    return copy;
  }

  private static Process start(Path log, String... args) throws IOException {
    return DriverJvm.builder(List.of(), args)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /**
   * Waits until {@code when} holds, sends the signal, and returns how many ms the process took to
   * end after it.
   */
  private static long awaitThenStop(Process p, BooleanSupplier when, String signal)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!when.getAsBoolean()) {
      assertTrue(p.isAlive(), "the run ended before the moment to stop it");
      assertTrue(System.nanoTime() < deadline, "the moment to stop the run never came");
      Thread.sleep(10);
    }
    long sent = System.nanoTime();
    new ProcessBuilder("kill", signal, String.valueOf(p.pid())).start().waitFor();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running a minute after kill " + signal);
    return (System.nanoTime() - sent) / 1_000_000;
  }

  private static boolean logHas(Path log, String text) {
    try {
      return Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static JsonNode summary(Path out) throws IOException {
    return JSON.readTree(out.resolve("summary.json").toFile());
  }

  /** The same files with the same bytes; summary.json the same but for clocks and the resume. */
  private static void assertSameSet(Path expected, Path actual) throws IOException {
    List<String> files = files(expected);
    assertEquals(files, files(actual));
    for (String f : files) {
      if (!f.equals("summary.json")) {
        assertArrayEquals(
            Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)), f);
      }
    }
    assertEquals(withoutClocks(summary(expected)), withoutClocks(summary(actual)));
  }

  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .filter(f -> !f.endsWith(".crc"))
          .sorted()
          .toList();
    }
  }

  private static JsonNode withoutClocks(JsonNode node) {
    if (node instanceof ObjectNode o) {
      o.remove(List.of("seconds", "started", "finished", "resumed_after"));
      for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) {
        withoutClocks(it.next());
      }
    } else if (node.isArray()) {
      node.forEach(KilledRunTest::withoutClocks);
    }
    return node;
  }
}
