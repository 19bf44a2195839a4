package org.ddoq.jobs;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A real Spark standalone cluster for tests: a Master and one or more Workers as separate JVMs on
 * 127.0.0.1, whose executors are separate JVMs too, so a test sees real scheduling, executor PIDs
 * (to kill them) and executor logs. Recipe: docs STACK.md "A real multi-JVM Spark cluster from
 * Maven jars".
 *
 * <p>SPARK_HOME is a temp dir whose {@code jars/} symlinks the jar entries of this JVM's own
 * classpath, and {@link #appJar()} packs its class directories (ddoq's classes, test classes) into
 * the jar a driver ships with {@code spark.jars}. Using the test classpath rather than {@code
 * target/lib} and {@code target/ddoq.jar} means executors run exactly the code under test, also
 * under a plain {@code mvn test} where {@code package} has not run and those jars are missing or
 * stale.
 *
 * <p>Use with {@code @RegisterExtension static StandaloneCluster cluster =
 * StandaloneCluster.builder() ...build();} (started before {@code @BeforeAll}, stopped after
 * {@code @AfterAll}, logs printed when a test or the class set-up fails), or by hand with {@link
 * #start()} and {@link #close()}. Every process it started is killed on close and, failing that, at
 * JVM exit.
 */
public final class StandaloneCluster
    implements AutoCloseable, BeforeAllCallback, AfterAllCallback, TestWatcher {
  /**
   * The JVM flags Spark 4 needs on Java 17 (STACK.md); for Master, Worker, executors and drivers.
   * With {@code --add-modules=jdk.incubator.vector}, which Spark 4.2's launcher gives every
   * executor, MLlib's BLAS sums with SIMD in the driver too: without it a local run's k-means sums
   * round differently.
   */
  public static final List<String> SPARK_JVM_FLAGS =
      List.of(
          "-XX:+IgnoreUnrecognizedVMOptions",
          "--add-modules=jdk.incubator.vector",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
          "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "-Djdk.reflect.useDirectMethodHandle=false",
          "-Dio.netty.tryReflectionSetAccessible=true");

  /** Generous: JVM start-ups are slow on the shared 2-core machines. */
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  private static final int LOG_TAIL_LINES = 80;

  private final int workers;
  private final boolean startInBeforeAll;
  private final int workerCores;
  private final String workerMemory;
  private final Map<String, String> workerConf;
  private final Map<String, String> workerEnv;
  private final Path root;
  private final List<Process> processes = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::killAll, "standalone-cluster-cleanup");
  private String masterUrl;
  private final List<Process> workerProcesses = new ArrayList<>();
  private double startupSeconds;
  private Path appJar;
  private Path sparkHome;
  private volatile boolean failed;

  private StandaloneCluster(Builder b) {
    this.workers = b.workers;
    this.startInBeforeAll = b.startInBeforeAll;
    this.workerCores = b.workerCores;
    this.workerMemory = b.workerMemory;
    this.workerConf = Map.copyOf(b.workerConf);
    this.workerEnv = Map.copyOf(b.workerEnv);
    try {
      this.root = Files.createTempDirectory("ddoq-standalone");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Cluster settings; the defaults give one Worker with 2 cores and 2 GiB for executors. */
  public static final class Builder {
    private int workers = 1;
    private boolean startInBeforeAll = true;
    private int workerCores = 2;
    private String workerMemory = "2g";
    private final Map<String, String> workerConf = new LinkedHashMap<>();
    private final Map<String, String> workerEnv = new LinkedHashMap<>();

    /** How many Worker JVMs (each with its own work dir, cores and memory). */
    public Builder workers(int count) {
      this.workers = count;
      return this;
    }

    /** The test calls {@link #start()} itself (e.g. to overlap the start-up with other work). */
    public Builder startedByTest() {
      this.startInBeforeAll = false;
      return this;
    }

    public Builder workerCores(int cores) {
      this.workerCores = cores;
      return this;
    }

    public Builder workerMemory(String memory) {
      this.workerMemory = memory;
      return this;
    }

    /** A Spark setting of the Worker JVM, e.g. {@code spark.worker.resource.gpu.amount}. */
    public Builder workerConf(String key, String value) {
      workerConf.put(key, value);
      return this;
    }

    /**
     * An environment variable of the Worker; its executors inherit it (e.g. PATH for a discovery
     * script).
     */
    public Builder workerEnv(String key, String value) {
      workerEnv.put(key, value);
      return this;
    }

    public StandaloneCluster build() {
      return new StandaloneCluster(this);
    }
  }

  /**
   * Starts Master then the Workers and waits until every Worker has registered; kills all if that
   * fails.
   */
  public synchronized StandaloneCluster start() {
    if (masterUrl != null) {
      return this;
    }
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    long start = System.nanoTime();
    try {
      Path sparkHome = sparkHome();
      int port = freePort();
      Process master =
          launch(
              "master",
              sparkHome,
              List.of(),
              Map.of(),
              "org.apache.spark.deploy.master.Master",
              "--host",
              "127.0.0.1",
              "--port",
              String.valueOf(port),
              "--webui-port",
              String.valueOf(freePort()));
      awaitLog(master, log("master"), "I have been elected leader");
      masterUrl = "spark://127.0.0.1:" + port;
      List<String> conf = new ArrayList<>();
      workerConf.forEach((k, v) -> conf.add("-D" + k + "=" + v));
      // Workers start side by side: their JVM start-ups overlap.
      for (int i = 0; i < workers; i++) {
        workerProcesses.add(
            launch(
                workerName(i),
                sparkHome,
                conf,
                workerEnv,
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                "127.0.0.1",
                "--cores",
                String.valueOf(workerCores),
                "--memory",
                workerMemory,
                "--webui-port",
                String.valueOf(freePort()),
                "--work-dir",
                workDir(i).toString(),
                masterUrl));
      }
      for (int i = 0; i < workers; i++) {
        awaitLog(workerProcesses.get(i), log(workerName(i)), "Successfully registered with master");
      }
      startupSeconds = (System.nanoTime() - start) / 1e9;
      return this;
    } catch (IOException | RuntimeException e) {
      failed = true;
      String logs = logs();
      killAll();
      throw new IllegalStateException(
          "standalone cluster did not start (" + e.getMessage() + ")\n" + logs, e);
    }
  }

  /** {@code spark://127.0.0.1:PORT}. */
  public String masterUrl() {
    if (masterUrl == null) {
      throw new IllegalStateException("cluster not started");
    }
    return masterUrl;
  }

  /** Wall-clock seconds from launching the Master to the last Worker's registration. */
  public double startupSeconds() {
    return startupSeconds;
  }

  /**
   * Scratch directory of this cluster (SPARK_HOME, logs, the Worker's work dir, test files);
   * deleted on close unless a failure was seen, so the logs stay for a look.
   */
  public Path root() {
    return root;
  }

  /**
   * A jar of every class directory on this JVM's classpath (main and test classes), built once:
   * give it to the driver as {@code spark.jars} so executors load the code under test, lambdas
   * included.
   */
  public synchronized Path appJar() throws IOException {
    if (appJar == null) {
      Path jar = root.resolve("app.jar");
      Set<String> seen = new HashSet<>();
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
        for (Path dir : classpath().stream().filter(Files::isDirectory).toList()) {
          try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
              String name = dir.relativize(file).toString().replace(File.separatorChar, '/');
              // Log configuration stays the cluster's own (Spark's defaults, INFO to the executor's
              // stderr).
              if (name.startsWith("log4j2") || !seen.add(name)) {
                continue;
              }
              out.putNextEntry(new JarEntry(name));
              Files.copy(file, out);
              out.closeEntry();
            }
          }
        }
      }
      appJar = jar;
    }
    return appJar;
  }

  /**
   * A live executor JVM: Spark's executor id, its PID, and the stderr file its Worker copies its
   * log to.
   */
  public record Executor(String id, long pid, Path log) {}

  /** The live executor JVMs the Workers launched. */
  public synchronized List<Executor> executors() {
    List<Executor> found = new ArrayList<>();
    for (int i = 0; i < workerProcesses.size(); i++) {
      Path work = workDir(i);
      workerProcesses
          .get(i)
          .descendants()
          .filter(ProcessHandle::isAlive)
          .forEach(
              p -> {
                List<String> args = List.of(commandLine(p).split("\0"));
                if (args.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend")) {
                  String id = argument(args, "--executor-id");
                  found.add(
                      new Executor(
                          id,
                          p.pid(),
                          work.resolve(argument(args, "--app-id")).resolve(id).resolve("stderr")));
                }
              });
    }
    return found;
  }

  /** PIDs of the live executor JVMs the Workers launched. */
  public List<Long> executorPids() {
    return executors().stream().map(Executor::pid).sorted().toList();
  }

  /** The executors' stderr files (Spark logs there), oldest application first. */
  public List<Path> executorLogs() {
    Path work = root.resolve("work");
    if (!Files.isDirectory(work)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(work, 4)) {
      return files.filter(p -> p.getFileName().toString().equals("stderr")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lines of all executor logs that contain {@code text}. */
  public List<String> executorLogLines(String text) {
    List<String> lines = new ArrayList<>();
    for (Path log : executorLogs()) {
      lines.addAll(readLines(log).stream().filter(l -> l.contains(text)).toList());
    }
    return lines;
  }

  /** The tails of the Master, Worker and executor logs, for failure messages. */
  public String logs() {
    StringBuilder s = new StringBuilder();
    List<Path> logs = new ArrayList<>(List.of(log("master")));
    for (int i = 0; i < workers; i++) {
      logs.add(log(workerName(i)));
    }
    logs.addAll(executorLogs());
    for (Path log : logs) {
      if (Files.exists(log)) {
        List<String> lines = readLines(log);
        s.append("----- ")
            .append(log)
            .append(" (last ")
            .append(Math.min(LOG_TAIL_LINES, lines.size()))
            .append(" of ")
            .append(lines.size())
            .append(" lines)\n");
        lines
            .subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())
            .forEach(l -> s.append(l).append('\n'));
      }
    }
    return s.toString();
  }

  /** Stops the Worker (and its executors) and the Master: politely, then by force after 15 s. */
  @Override
  public synchronized void close() {
    killAll();
    if (failed) {
      System.err.println("standalone cluster files kept for inspection: " + root);
    } else {
      deleteTree(root);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | IllegalArgumentException alreadyExitingOrNeverAdded) {
      // nothing to undo
    }
    masterUrl = null;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (startInBeforeAll) {
      start();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (context.getExecutionException().isPresent()) {
      failed = true;
      System.err.println(
          "standalone cluster logs after a failure in "
              + context.getDisplayName()
              + ":\n"
              + logs());
    }
    close();
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    failed = true;
    System.err.println(
        "standalone cluster logs after " + context.getDisplayName() + " failed:\n" + logs());
  }

  private synchronized void killAll() {
    List<ProcessHandle> all = new ArrayList<>();
    for (Process p : processes) {
      p.descendants().forEach(all::add); // executors first: they must not outlive a killed Worker
      all.add(p.toHandle());
    }
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    for (ProcessHandle p : all) {
      try {
        p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
    }
    processes.clear();
    workerProcesses.clear();
  }

  private Process launch(
      String name,
      Path sparkHome,
      List<String> jvmArgs,
      Map<String, String> env,
      String mainClass,
      String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.addAll(SPARK_JVM_FLAGS);
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(sparkHome.resolve("jars") + File.separator + "*");
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log(name).toFile())
            .directory(root.toFile());
    Map<String, String> e = pb.environment();
    e.put("SPARK_HOME", sparkHome.toString());
    e.put("SPARK_LOCAL_IP", "127.0.0.1");
    e.put(
        "SPARK_SCALA_VERSION",
        "2.13"); // else every executor launch fails: "Cannot find any build directories"
    e.put("JAVA_HOME", System.getProperty("java.home"));
    e.putAll(env);
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  /**
   * SPARK_HOME of this cluster, made on first use: {@code jars/} links this JVM's classpath jars,
   * so a driver or spark-submit JVM can run from it too ({@code java -cp "SPARK_HOME/jars/*" ...}).
   */
  public synchronized Path sparkHome() throws IOException {
    if (sparkHome == null) {
      sparkHome = linkJars();
    }
    return sparkHome;
  }

  private Path linkJars() throws IOException {
    Path jars = Files.createDirectories(root.resolve("spark-home").resolve("jars"));
    Set<String> names = new HashSet<>();
    for (Path jar : classpath().stream().filter(p -> p.toString().endsWith(".jar")).toList()) {
      String name = jar.getFileName().toString();
      Files.createSymbolicLink(
          jars.resolve(names.add(name) ? name : names.size() + "-" + name), jar);
    }
    return jars.getParent();
  }

  /** This JVM's classpath; under Surefire the real one, not its manifest-only booter jar. */
  private static List<Path> classpath() {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Stream.of(cp.split(File.pathSeparator))
        .filter(s -> !s.isBlank())
        .map(s -> Path.of(s).toAbsolutePath())
        .filter(Files::exists)
        .toList();
  }

  private String workerName(int index) {
    return workers == 1 ? "worker" : "worker-" + (index + 1);
  }

  private Path workDir(int index) {
    return root.resolve("work").resolve(workerName(index));
  }

  private static String argument(List<String> args, String name) {
    int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : "";
  }

  private Path log(String name) {
    return root.resolve(name + ".log");
  }

  private static void awaitLog(Process p, Path log, String line) throws IOException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(line)) {
        return;
      }
      if (!p.isAlive()) {
        throw new IllegalStateException(
            log.getFileName()
                + ": process exited with "
                + p.exitValue()
                + " before logging '"
                + line
                + "'");
      }
      sleep(200);
    }
    throw new IllegalStateException(
        log.getFileName() + ": no '" + line + "' within " + READY_TIMEOUT);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) { // walk does not follow the jars/ symlinks
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e);
    }
  }

  private static String commandLine(ProcessHandle p) {
    try { // /proc has the whole command line; ProcessHandle.Info may truncate it
      return new String(
          Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), "cmdline")),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      return p.info().commandLine().orElse("");
    }
  }

  private static List<String> readLines(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      return List.of("(unreadable: " + e + ")");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
