package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.ddoq.core.data.IdxReader;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.prior.VaeTraining;
import org.ddoq.core.prior.VaeTrainingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code distill} submitted with spark-submit to a real standalone cluster (a Master and two
 * Workers, each a separate JVM with one core, so two executor JVMs), one executor killed with
 * {@code kill -9} inside an encode task: the run must finish, and its manifest, images and contact
 * sheet must be byte for byte those of a local-mode run ({@code local[2]}) with the same seed on
 * the same input.
 *
 * <p>Both runs go through {@code org.apache.spark.deploy.SparkSubmit --class org.ddoq.jobs.Ddoq
 * APP.jar distill ...}, as a user's spark-submit does; only {@code --master} differs. The local run
 * starts first and overlaps the cluster's start-up. The test prints how long each part took
 * (docs/benchmarks.md).
 */
class ExecutorKillClusterTest {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);
  private static final Pattern STARTED =
      Pattern.compile("LatentEncoder: partition (\\d+) \\(stage (\\d+), TID (\\d+)\\) started");

  // Started by the test itself, after the local run, so the two overlap.
  @RegisterExtension
  static final StandaloneCluster CLUSTER =
      StandaloneCluster.builder()
          .workers(2)
          .workerCores(1)
          .workerMemory("1536m")
          .startedByTest()
          .build();

  @Test
  void distillSurvivesAKilledExecutorAndEqualsTheLocalRun() throws Exception {
    long t0 = System.nanoTime();
    Path root = CLUSTER.root();
    Path slice = FashionSlice.write(root, 1200, 0);
    Path prior = root.resolve("prior");
    VaeTraining.train(
        FashionSlice.images(slice, "train"),
        new byte[0][],
        new ImageShape(1, 28, 28),
        IdxReader.FASHION_MNIST_CLASSES,
        VaeTrainingConfig.defaults().withEpochs(1).withMaxTrainImages(600),
        prior,
        line -> {});
    double priorSeconds = seconds(t0);

    Path localOut = root.resolve("out-local");
    Path clusterOut = root.resolve("out-cluster");
    long tLocal = System.nanoTime();
    Process local = submit("local[2]", slice, prior, localOut, root.resolve("driver-local.log"));
    long tCluster = System.nanoTime();
    CLUSTER.start();
    double startup = CLUSTER.startupSeconds();
    long tSubmit = System.nanoTime();
    Path driverLog = root.resolve("driver-cluster.log");
    Process cluster = submit(CLUSTER.masterUrl(), slice, prior, clusterOut, driverLog);

    // The first executor that starts encoding a partition is killed at once (the engine and the
    // prior load at the start of that task, so the task runs on for a second or more after this
    // line).
    Killed killed = killFirstEncodingExecutor(cluster, driverLog);
    double clusterRun = awaitSuccess(cluster, driverLog, tSubmit);
    double localRun = awaitSuccess(local, root.resolve("driver-local.log"), tLocal);

    // It died inside the encode task: that task logged its start and never its end...
    List<String> victimLog = Files.readAllLines(killed.executor().log(), StandardCharsets.UTF_8);
    String task = "(stage " + killed.stage() + ", TID " + killed.tid() + ")";
    assertTrue(
        victimLog.stream()
            .noneMatch(l -> l.contains(task + " done") || l.contains(task + " ended early")),
        "the killed executor finished its encode task before the kill: " + task);
    // ...the driver saw the task lost with its executor, and the partition was encoded again
    // elsewhere.
    String driver = Files.readString(driverLog, StandardCharsets.UTF_8);
    assertTrue(
        driver.contains("TID " + killed.tid() + ")") && driver.contains("ExecutorLostFailure"),
        "the driver did not report task "
            + killed.tid()
            + " lost with executor "
            + killed.executor().id());
    String retried =
        "LatentEncoder: partition " + killed.partition() + " (stage " + killed.stage() + ", TID ";
    assertTrue(
        CLUSTER.executorLogLines(retried).stream()
            .anyMatch(l -> l.endsWith(" ms") && l.contains(") done,")),
        "partition " + killed.partition() + " was never encoded after the kill");

    assertSameDistilledSet(localOut, clusterOut);
    System.out.printf(
        "ExecutorKillClusterTest: prior %.1f s; local run %.1f s (overlapping the cluster); cluster"
            + " start-up (Master + 2 Workers) %.1f s; cluster run with the kill %.1f s; cluster start to end %.1f s;"
            + " whole test %.1f s; load average %s%n",
        priorSeconds,
        localRun,
        startup,
        clusterRun,
        seconds(tCluster),
        seconds(t0),
        Files.readString(Path.of("/proc/loadavg")).trim());
  }

  /**
   * The distilled images, manifest and contact sheet are equal bytes; the summaries equal up to
   * timings.
   */
  private static void assertSameDistilledSet(Path expected, Path actual) throws IOException {
    List<String> files = relativeFiles(expected);
    assertEquals(files, relativeFiles(actual), "the two runs wrote different files");
    assertTrue(
        files.contains("_SUCCESS") && files.stream().filter(f -> f.endsWith(".png")).count() == 51,
        "50 images and a contact sheet, and _SUCCESS: " + files);
    for (String f : files) {
      if (!f.equals("summary.json")) {
        assertArrayEquals(
            Files.readAllBytes(expected.resolve(f)),
            Files.readAllBytes(actual.resolve(f)),
            f + " differs between the local and the cluster run");
      }
    }
    assertEquals(withoutTimings(expected), withoutTimings(actual), "summary.json beyond timings");
  }

  private static JsonNode withoutTimings(Path out) throws IOException {
    ObjectNode summary =
        (ObjectNode) new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    summary.remove(List.of("seconds", "started", "finished"));
    summary.get("classes").forEach(c -> ((ObjectNode) c).remove("seconds"));
    return summary;
  }

  private static List<String> relativeFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .filter(f -> !f.startsWith(".") && !f.contains("/."))
          .sorted()
          .toList(); // not Hadoop's .crc files
    }
  }

  /** spark-submit (the real SparkSubmit class) of {@code ddoq distill} as a separate driver JVM. */
  private static Process submit(String master, Path slice, Path prior, Path out, Path log)
      throws IOException {
    String executorFlags =
        String.join(" ", StandaloneCluster.SPARK_JVM_FLAGS) + " -Dai.djl.offline=true";
    List<String> cmd =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
    cmd.addAll(StandaloneCluster.SPARK_JVM_FLAGS);
    cmd.addAll(
        List.of(
            "-Dai.djl.offline=true",
            "-cp",
            CLUSTER.sparkHome().resolve("jars") + File.separator + "*",
            "org.apache.spark.deploy.SparkSubmit",
            "--master",
            master,
            "--class",
            Ddoq.class.getName(),
            "--conf",
            "spark.driver.host=127.0.0.1",
            "--conf",
            "spark.driver.bindAddress=127.0.0.1",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.executor.cores=1",
            "--conf",
            "spark.cores.max=2",
            "--conf",
            "spark.executor.memory=1g",
            "--conf",
            "spark.executor.extraJavaOptions=" + executorFlags,
            "--conf",
            "spark.executorEnv.ONEDNN_MAX_CPU_ISA=AVX2",
            CLUSTER.appJar().toString(),
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            prior.toString(),
            "--ipc",
            "5",
            "--seed",
            "3",
            "--batch-size",
            "64",
            "--out",
            out.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_HOME", CLUSTER.sparkHome().toString());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("SPARK_SCALA_VERSION", "2.13");
    return pb.start();
  }

  /** What was killed: the executor, and the encode task it was running. */
  record Killed(StandaloneCluster.Executor executor, int partition, int stage, long tid) {}

  private static Killed killFirstEncodingExecutor(Process driver, Path driverLog) throws Exception {
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (StandaloneCluster.Executor e : CLUSTER.executors()) {
        if (!Files.exists(e.log())) {
          continue;
        }
        Matcher m = STARTED.matcher(Files.readString(e.log(), StandardCharsets.UTF_8));
        if (m.find()) {
          // The shell's own kill: no procps needed on a fresh machine.
          Process kill = new ProcessBuilder("sh", "-c", "kill -9 " + e.pid()).inheritIO().start();
          assertEquals(0, kill.waitFor(), "kill -9 " + e.pid());
          System.out.println(
              "ExecutorKillClusterTest: killed executor "
                  + e.id()
                  + " (pid "
                  + e.pid()
                  + ") in "
                  + m.group());
          return new Killed(
              e,
              Integer.parseInt(m.group(1)),
              Integer.parseInt(m.group(2)),
              Long.parseLong(m.group(3)));
        }
      }
      if (!driver.isAlive()) {
        fail(
            "the cluster run ended (exit "
                + driver.exitValue()
                + ") before any executor encoded:\n"
                + tail(driverLog));
      }
      Thread.sleep(50);
    }
    fail("no executor started encoding within " + RUN_TIMEOUT + ":\n" + tail(driverLog));
    return null;
  }

  /** Waits for a spark-submit run to exit 0; returns its seconds since {@code start}. */
  private static double awaitSuccess(Process p, Path log, long start) throws Exception {
    if (!p.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(log.getFileName() + ": no exit within " + RUN_TIMEOUT + ":\n" + tail(log));
    }
    assertEquals(0, p.exitValue(), log.getFileName() + " exit status:\n" + tail(log));
    return seconds(start);
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
