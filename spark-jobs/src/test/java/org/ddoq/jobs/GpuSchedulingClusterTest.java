package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.prior.Devices;
import org.ddoq.core.prior.PriorModels;
import org.ddoq.core.prior.PriorSession;
import org.ddoq.core.prior.VaeTraining;
import org.ddoq.core.prior.VaeTrainingConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import scala.Option;

/**
 * GPU device choice under Spark's real resource scheduling, on a machine without a GPU: a
 * standalone Worker offers one GPU through conf/gpu/getGpusResources.sh (a fake nvidia-smi reports
 * index 0), one executor takes it and runs two tasks at a time with 0.5 GPU each. Every task must
 * be given address "0", and since the PyTorch engine here is the CPU build, choose the CPU and say
 * so once in the executor log. Priors opened by many tasks, in two jobs, load once in that
 * executor.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GpuSchedulingClusterTest {
  private static final Path FAKE_BIN = fakeNvidiaSmi();
  private static final Path DISCOVERY = repoFile("conf/gpu/getGpusResources.sh");

  @RegisterExtension
  static final StandaloneCluster CLUSTER =
      StandaloneCluster.builder()
          .workerCores(2)
          .workerMemory("2g")
          .workerConf("spark.worker.resource.gpu.amount", "1")
          .workerConf("spark.worker.resource.gpu.discoveryScript", DISCOVERY.toString())
          .workerEnv("PATH", FAKE_BIN + ":" + System.getenv("PATH"))
          .build();

  static SparkSession spark;
  static JavaSparkContext jsc;
  static Path prior;

  @BeforeAll
  static void driverAndPrior() throws IOException {
    spark =
        SparkSession.builder()
            .master(CLUSTER.masterUrl())
            .appName("ddoq-gpu-scheduling-test")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.jars", CLUSTER.appJar().toString())
            .config("spark.cores.max", "2")
            .config("spark.executor.cores", "2")
            .config("spark.executor.memory", "1g")
            .config("spark.executor.resource.gpu.amount", "1")
            .config("spark.executor.resource.gpu.discoveryScript", DISCOVERY.toString())
            .config("spark.task.resource.gpu.amount", "0.5")
            .config(
                "spark.executor.extraJavaOptions",
                String.join(" ", StandaloneCluster.SPARK_JVM_FLAGS) + " -Dai.djl.offline=true")
            .config("spark.executorEnv.DJL_CACHE_DIR", djlCacheDir())
            .config("spark.executorEnv.ONEDNN_MAX_CPU_ISA", "AVX2")
            .getOrCreate();
    // A session left running by another test class would silently be reused: this must be ours.
    assertEquals(CLUSTER.masterUrl(), spark.sparkContext().master());
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    prior = tinyPrior(CLUSTER.root().resolve("prior"));
  }

  @AfterAll
  static void stopDriver() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  @Order(1)
  void everyTaskIsGivenTheSharedGpuAndFallsBackToCpuOnce() throws InterruptedException {
    List<String> rows =
        jsc.parallelize(IntStream.range(0, 6).boxed().toList(), 6)
            .map(Tasks.chooseDevice())
            .collect();

    assertEquals(6, rows.size());
    List<long[]> spans = new ArrayList<>();
    for (String row : rows) {
      String[] f = row.split("\\|");
      assertEquals("[0]", f[1], "GPU addresses Spark gave the task: " + row);
      assertEquals("cpu()", f[2], "the CPU build of PyTorch sees no CUDA: " + row);
      assertTrue(
          CLUSTER.executorPids().contains(Long.parseLong(f[0])), "task ran in an executor: " + row);
      spans.add(new long[] {Long.parseLong(f[3]), Long.parseLong(f[4])});
    }
    assertEquals(
        1, rows.stream().map(r -> r.split("\\|")[0]).distinct().count(), "one executor: " + rows);
    assertEquals(1, CLUSTER.executorPids().size(), "one GPU on the Worker allows one executor");
    // 0.5 GPU per task: two tasks hold address "0" at the same time.
    assertTrue(overlap(spans), "no two tasks shared the GPU concurrently: " + rows);

    List<String> fallback = awaitExecutorLogLines(Devices.CPU_LOG_PREFIX);
    assertEquals(1, fallback.size(), "one CPU-fallback line per executor JVM: " + fallback);
    assertTrue(
        fallback.get(0).contains("Spark assigned GPU 0 but the engine sees no CUDA GPU"),
        fallback.get(0));
  }

  @Test
  @Order(2)
  void tasksInTwoJobsShareOnePriorLoadPerExecutor() throws InterruptedException {
    String dir = prior.toString();
    List<String> first =
        jsc.parallelize(IntStream.range(0, 4).boxed().toList(), 4)
            .map(Tasks.openPrior(dir))
            .collect();
    List<String> second =
        jsc.parallelize(IntStream.range(0, 4).boxed().toList(), 4)
            .map(Tasks.openPrior(dir))
            .collect();

    List<String> all = new ArrayList<>(first);
    all.addAll(second);
    assertEquals(
        1, all.stream().map(r -> r.split("\\|")[0]).distinct().count(), "one executor: " + all);
    all.forEach(r -> assertTrue(r.endsWith("|cpu()"), r));
    List<String> loads = awaitExecutorLogLines("loaded prior " + prior);
    assertEquals(1, loads.size(), "8 tasks in 2 jobs, one executor, one load: " + loads);
    assertEquals(
        1, CLUSTER.executorLogLines(Devices.CPU_LOG_PREFIX).size(), "still one fallback line");
  }

  /**
   * What the executors run. The functions are created here, not in the test class, because a
   * serialized lambda is resolved through the class that created it, and the test class's static
   * set-up (cluster, fake nvidia-smi, repo paths) must not run in an executor.
   */
  static final class Tasks {
    private Tasks() {}

    /**
     * Per task: pid, the GPU addresses Spark gave it, the device ddoq chose, start and end millis.
     */
    static Function<Integer, String> chooseDevice() {
      return i -> {
        long start = System.currentTimeMillis();
        Option<ResourceInformation> gpu = TaskContext.get().resources().get("gpu");
        List<String> addresses = gpu.isDefined() ? List.of(gpu.get().addresses()) : List.of();
        String device = Devices.forCurrentTask().toString();
        Thread.sleep(700); // long enough that the two task slots overlap
        return ProcessHandle.current().pid()
            + "|"
            + addresses.toString().replace(" ", "")
            + "|"
            + device
            + "|"
            + start
            + "|"
            + System.currentTimeMillis();
      };
    }

    /** Per task: pid, and the device of a session on the prior through the per-executor cache. */
    static Function<Integer, String> openPrior(String dir) {
      return i -> {
        try (PriorSession session = PriorModels.open(dir)) {
          return ProcessHandle.current().pid()
              + "|"
              + session.getClass().getSimpleName()
              + "|"
              + Devices.forCurrentTask();
        }
      };
    }
  }

  private static boolean overlap(List<long[]> spans) {
    for (int a = 0; a < spans.size(); a++) {
      for (int b = a + 1; b < spans.size(); b++) {
        if (spans.get(a)[0] < spans.get(b)[1] && spans.get(b)[0] < spans.get(a)[1]) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The executor log reaches its file through the Worker's copier thread: wait for the first line.
   */
  private static List<String> awaitExecutorLogLines(String text) throws InterruptedException {
    for (int i = 0; i < 50 && CLUSTER.executorLogLines(text).isEmpty(); i++) {
      Thread.sleep(200);
    }
    Thread.sleep(500); // a duplicate line would be written right after the first
    return CLUSTER.executorLogLines(text);
  }

  /** A real prior directory in seconds: the built-in VAE, one epoch on 64 random 28x28 images. */
  private static Path tinyPrior(Path out) {
    Random random = new Random(7);
    byte[][] images = new byte[80][28 * 28];
    for (byte[] image : images) {
      random.nextBytes(image);
    }
    byte[][] train = Arrays.copyOf(images, 64);
    byte[][] heldOut = Arrays.copyOfRange(images, 64, 80);
    VaeTraining.train(
        train,
        heldOut,
        new ImageShape(1, 28, 28),
        List.of("a", "b"),
        VaeTrainingConfig.defaults().withEpochs(1).withMaxTrainImages(64),
        out,
        line -> {});
    return out;
  }

  private static String djlCacheDir() {
    String env = System.getenv("DJL_CACHE_DIR");
    return env != null
        ? env
        : System.getProperty(
            "DJL_CACHE_DIR", Path.of(System.getProperty("user.home"), ".djl.ai").toString());
  }

  /**
   * A stand-in for nvidia-smi that lists one GPU, so the shipped discovery script runs unchanged.
   */
  private static Path fakeNvidiaSmi() {
    try {
      Path bin = Files.createTempDirectory("fake-nvidia-smi");
      bin.toFile().deleteOnExit();
      Path smi = bin.resolve("nvidia-smi");
      smi.toFile().deleteOnExit(); // runs before the directory's: reverse order of registration
      Files.writeString(
          smi, "#!/bin/sh\n# fake: answers --query-gpu=index --format=csv,noheader\necho 0\n");
      Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
      return bin;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path repoFile(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
  }
}
