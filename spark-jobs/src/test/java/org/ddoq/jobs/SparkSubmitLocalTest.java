package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ddoq.core.data.IdxReader;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.prior.VaeTraining;
import org.ddoq.core.prior.VaeTrainingConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The application jar as a user runs it: {@code submit-scripts/submit-local.sh} → spark-submit
 * (Spark's real launcher, {@link SparkHome}) → {@code target/ddoq-app.jar} on a Spark installation
 * that has no ddoq and no DJL, in local mode, on a real Fashion-MNIST slice. PyTorch's native
 * library must come out of the app jar into a fresh DJL cache, offline.
 */
class SparkSubmitLocalTest {
  private static final Path APP_JAR = repoFile("spark-jobs/target/ddoq-app.jar");
  private static final Path SCRIPT = repoFile("submit-scripts/submit-local.sh");
  private static Path root;
  private static Path sparkHome;
  private static Path slice;
  private static Path prior;

  /** Exit status and everything the submission printed. */
  record Submitted(int status, String output) {}

  @BeforeAll
  static void sparkInstallationDataAndPrior() throws IOException {
    Path classes = repoFile("spark-jobs/target/classes/org/ddoq/jobs/Ddoq.class");
    assertTrue(
        Files.getLastModifiedTime(APP_JAR).compareTo(Files.getLastModifiedTime(classes)) >= 0,
        APP_JAR
            + " is older than the compiled classes: it is built before the tests unless -Dddoq.app.phase=none");
    root = Files.createTempDirectory("ddoq-spark-submit");
    sparkHome = SparkHome.create(root.resolve("spark"));
    slice = FashionSlice.write(root, 300, 50);
    prior = root.resolve("prior");
    // A real but small prior, trained here in seconds: the run under test is distill, not
    // train-prior.
    VaeTraining.train(
        FashionSlice.images(slice, "train"),
        FashionSlice.images(slice, "t10k"),
        new ImageShape(1, 28, 28),
        IdxReader.FASHION_MNIST_CLASSES,
        VaeTrainingConfig.defaults().withEpochs(1).withMaxTrainImages(300),
        prior,
        line -> {});
  }

  @AfterAll
  static void cleanUp() throws IOException {
    try (Stream<Path> files = Files.walk(root)) { // walk does not follow the jars/ symlinks
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void distillRunsFromTheAppJarWithNativeLibraryFromTheJar() throws Exception {
    Path out = root.resolve("out");
    Path djlCache = root.resolve("djl-cache");
    Submitted r =
        submit(
            djlCache,
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            prior.toString(),
            "--ipc",
            "2",
            "--max-iter",
            "5",
            "--parallelism",
            "10",
            "--seed",
            "3",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.output());
    r.output()
        .lines()
        .filter(l -> l.contains("stage seconds"))
        .forEach(System.out::println); // for timings

    assertTrue(Files.exists(out.resolve("_SUCCESS")), r.output());
    List<String> manifest = Files.readAllLines(out.resolve("manifest.csv"));
    assertEquals("path,label,class_name,cluster,count,weight", manifest.get(0));
    assertEquals(1 + 10 * 2, manifest.size(), "2 images for each of the 10 classes");
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals(300, summary.at("/dataset/images").asLong());

    // The driver JVM was started by Spark's launcher with the properties file's flags and
    // --driver-memory.
    String launch =
        r.output().lines().filter(l -> l.startsWith("Spark Command:")).findFirst().orElse("");
    assertTrue(launch.contains("-Dai.djl.offline=true") && launch.contains("-Xmx2g"), launch);
    // DJL found PyTorch in the app jar (Spark's jars have none) and unpacked it into the fresh
    // cache.
    assertTrue(
        r.output().contains("ddoq-app.jar!/native/lib/pytorch.properties"),
        "native library source");
    try (Stream<Path> files = Files.walk(djlCache)) {
      assertTrue(
          files.anyMatch(p -> p.getFileName().toString().equals("libtorch_cpu.so")),
          "unpacked into " + djlCache);
    }
  }

  @Test
  void badOptionsExitWithStatusTwoThroughSparkSubmit() throws Exception {
    Submitted r =
        submit(
            root.resolve("djl-cache-bad"),
            "distill",
            "--input",
            slice.toString(),
            "--ipc",
            "0",
            "--out",
            root.resolve("out-bad").toString());
    assertEquals(2, r.status(), r.output());
    assertTrue(
        r.output().contains("ddoq distill: error:") && r.output().contains("--ipc"), r.output());
    assertTrue(Files.notExists(root.resolve("out-bad")), "nothing written");
  }

  private static Submitted submit(Path djlCache, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(root, "submit", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("DDOQ_MASTER", "local[2]");
    env.put("DDOQ_DRIVER_MEMORY", "2g");
    env.put("DJL_CACHE_DIR", djlCache.toString());
    env.put("SPARK_PRINT_LAUNCH_COMMAND", "1"); // the launcher prints the driver's java command
    Process p = pb.start();
    if (!p.waitFor(4, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError(
          "spark-submit did not finish in 4 minutes:\n" + Files.readString(log));
    }
    return new Submitted(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  static Path repoFile(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(relative)) && Files.isDirectory(dir.resolve("submit-scripts"))) {
        return dir.resolve(relative);
      }
    }
    throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
  }
}
