package org.ddoq.core.stage;

import dev.ludovic.netlib.blas.BLAS;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.ddoq.core.TestSpark;
import org.ddoq.core.output.Npy;
import org.ddoq.core.quantize.ClassQuantization;
import org.ddoq.core.quantize.LloydKMeans;
import org.ddoq.core.quantize.Seeds;
import org.ddoq.core.quantize.UniformTransport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The quantize stage at ImageNet-like shapes (issue 17), not a test: it prints numbers for
 * docs/benchmarks.md and writes what docs/bench/quantize_shapes.py needs to run scikit-learn and
 * faiss on the very same latents.
 *
 * <p>For a shape (classes x n per class x d, k) it generates clustered synthetic latents on the
 * executors (per class, 3k Gaussian clusters of random spread and weight around random centres, a
 * deterministic function of the seed and the label), in the table layout the stage takes (id,
 * label, class_name, latent vector), caches them, and times {@link ClassQuantizer#fit} with the
 * stage's defaults (median of {@code ddoq.repeats}), then the model's transform. It also writes the
 * same latents as one float32 {@code label_<L>.npy} per class (export-latents' convention), fits
 * the in-task path once more through {@link InTaskFits} to split the time (k-means and W2 inside
 * the tasks, the rest Spark) and read each fit's iterations, and measures netlib's sgemm peak to
 * report the share of it the k-means arithmetic reaches.
 *
 * <p>Run through docs/bench/quantize-shapes.sh, or: {@code mvn -o -B -pl core test -Pbench
 * -Dtest=QuantizeShapesBenchmark -Dddoq.excludedGroups= -Dddoq.shape=A -Dddoq.out=/tmp/qs-A}.
 * Shapes: A 10 x 6,000 x 196 k 10; B10 / B50 100 x 1,300 x 1,024 k 10 / 50; C 1,000 x 1,300 x 64
 * k 10; D 1,000 x 1,300 x 1,024 k 10; or any with -Dddoq.classes -Dddoq.n -Dddoq.d -Dddoq.k. Other
 * properties: ddoq.repeats (3), ddoq.seed (17), ddoq.restarts (the stage's default), ddoq.noNpy
 * (skip the .npy files), ddoq.vectors (latents as ML vectors of doubles instead of the float arrays
 * distill caches), ddoq.peakSize (2048), ddoq.kernelOnly (one class's fit and W2 in this
 * thread, no Spark). Results in docs/benchmarks.md.
 */
@Tag("slow")
class QuantizeShapesBenchmark {
  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("label", DataTypes.IntegerType, false)
          .add("class_name", DataTypes.StringType, false)
          .add("latent", SQLDataTypes.VectorType(), false);
  private static final StructType FLOAT_SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("label", DataTypes.IntegerType, false)
          .add("class_name", DataTypes.StringType, false)
          .add("latent", LatentValues.FLOATS, false);

  /** A benchmark shape: classes x n latents of d numbers per class, k centroids per class. */
  record Shape(String name, int classes, int n, int d, int k) {
    static Shape of(String name) {
      Shape named =
          switch (name) {
            case "A" -> new Shape("A", 10, 6000, 196, 10);
            case "B10" -> new Shape("B10", 100, 1300, 1024, 10);
            case "B50" -> new Shape("B50", 100, 1300, 1024, 50);
            case "C" -> new Shape("C", 1000, 1300, 64, 10);
            case "D" -> new Shape("D", 1000, 1300, 1024, 10);
            default -> new Shape(name, 10, 1000, 64, 10);
          };
      return new Shape(
          name,
          Integer.getInteger("ddoq.classes", named.classes()),
          Integer.getInteger("ddoq.n", named.n()),
          Integer.getInteger("ddoq.d", named.d()),
          Integer.getInteger("ddoq.k", named.k()));
    }
  }

  @Test
  void shape() throws Exception {
    Shape s = Shape.of(System.getProperty("ddoq.shape", "A"));
    Path out = Path.of(System.getProperty("ddoq.out", "/tmp/qs-" + s.name()));
    int repeats = Integer.getInteger("ddoq.repeats", 3);
    long seed = Long.getLong("ddoq.seed", 17L);
    Files.createDirectories(out);
    if (Boolean.getBoolean("ddoq.kernelOnly")) {
      // One class's k-means and W2 in this thread, no Spark: for tuning LloydKMeans.
      ClassQuantizer q = quantizer(s);
      for (int round = 0; round < 3; round++) {
        double[] kernel = kernel(s, seed, q, 2 + (int) Math.log(s.k()));
        System.out.printf(
            Locale.ROOT,
            "kernel %s: fit %.4f s wall, %.4f s CPU (%d iterations, %.2f GFLOP/s per CPU"
                + " second), uniform W2 %.4f s wall, %.4f s CPU%n",
            s.name(),
            kernel[0],
            kernel[4],
            (int) kernel[1],
            kernel[2] / kernel[4] / 1e9,
            kernel[3],
            kernel[5]);
      }
      return;
    }
    SparkSession spark = TestSpark.start("QuantizeShapesBenchmark");
    try {
      run(spark, s, out, repeats, seed);
    } finally {
      TestSpark.stop();
    }
  }

  private static void run(SparkSession spark, Shape s, Path out, int repeats, long seed)
      throws Exception {
    String blas = BLAS.getInstance().getClass().getName();
    System.out.printf(
        Locale.ROOT,
        "shape %s: %d classes x %d x %d, k = %d, restarts %d; %s, netlib BLAS %s%n",
        s.name(),
        s.classes(),
        s.n(),
        s.d(),
        s.k(),
        quantizer(s).getRestarts(),
        spark.sparkContext().master(),
        blas);

    long t0 = System.nanoTime();
    Dataset<Row> latents = generate(spark, s, seed).persist(StorageLevel.MEMORY_AND_DISK());
    long rows = latents.count();
    double generateSeconds = seconds(t0);
    t0 = System.nanoTime();
    if (!Boolean.getBoolean("ddoq.noNpy")) {
      writeNpy(spark, s, seed, out);
    }
    double npySeconds = seconds(t0);
    System.out.printf(
        Locale.ROOT,
        "generated %d latents in %.1f s (cached), wrote the .npy files in %.1f s%n",
        rows,
        generateSeconds,
        npySeconds);

    AtomicInteger jobs = new AtomicInteger();
    AtomicInteger stages = new AtomicInteger();
    List<String> stageLines = new CopyOnWriteArrayList<>();
    spark
        .sparkContext()
        .addSparkListener(
            new SparkListener() {
              @Override
              public void onJobStart(SparkListenerJobStart e) {
                jobs.incrementAndGet();
              }

              @Override
              public void onStageSubmitted(SparkListenerStageSubmitted e) {
                stages.incrementAndGet();
              }

              @Override
              public void onStageCompleted(SparkListenerStageCompleted e) {
                stageLines.add(stageLine(e.stageInfo()));
              }
            });

    double[] fitSeconds = new double[repeats];
    double[] fitCpuSeconds = new double[repeats];
    double[] transformSeconds = new double[repeats];
    ClassQuantizerModel model = null;
    int fitJobs = 0;
    int fitStages = 0;
    for (int r = 0; r < repeats; r++) {
      stageLines.clear();
      int j0 = jobs.get();
      int s0 = stages.get();
      long cpu0 = processCpuNanos();
      t0 = System.nanoTime();
      model = quantizer(s).fit(latents);
      fitSeconds[r] = seconds(t0);
      fitCpuSeconds[r] = (processCpuNanos() - cpu0) / 1e9;
      spark.sparkContext().listenerBus().waitUntilEmpty();
      fitJobs = jobs.get() - j0;
      fitStages = stages.get() - s0;
      System.out.println("stages of fit " + (r + 1) + ":");
      stageLines.forEach(System.out::println);
      t0 = System.nanoTime();
      long assigned = model.transform(latents).filter("cluster is not null").count();
      transformSeconds[r] = seconds(t0);
      System.out.printf(
          Locale.ROOT,
          "repeat %d: fit %.2f s (%.2f s of the JVM's CPU; %d Spark jobs, %d stages), transform +"
              + " count %.2f s (%d rows)%n",
          r + 1,
          fitSeconds[r],
          fitCpuSeconds[r],
          fitJobs,
          fitStages,
          transformSeconds[r],
          assigned);
    }
    List<ClassQuantization> summaries = model.summaries();
    double taskKMeansSeconds = summaries.stream().mapToDouble(ClassQuantization::seconds).sum();

    // The in-task path once more, directly: per-task k-means and W2 seconds and the iterations.
    t0 = System.nanoTime();
    List<Integer> labels = new ArrayList<>();
    for (int c = 0; c < s.classes(); c++) {
      labels.add(c);
    }
    ClassQuantizer defaults = quantizer(s);
    Map<Integer, InTaskFits.Fitted> fitted =
        InTaskFits.fit(
            latents,
            "label",
            "id",
            "latent",
            labels,
            new InTaskFits.Settings(
                s.k(),
                defaults.getSeed(),
                defaults.getRestarts(),
                defaults.getMaxIter(),
                defaults.getTol(),
                true));
    double inTaskJobSeconds = seconds(t0);
    double kmeansTask = 0;
    double w2Task = 0;
    double flops = 0;
    int[] iterations = new int[s.classes()];
    int trials = 2 + (int) Math.log(s.k());
    for (int c = 0; c < s.classes(); c++) {
      InTaskFits.Fitted f = fitted.get(c);
      kmeansTask += f.fitSeconds();
      w2Task += f.w2Seconds();
      iterations[c] = f.fit().iterations();
      // k-means++: 1 + (k - 1) x trials candidate columns; Lloyd: iterations + 1 assignment passes.
      double nd2 = 2.0 * s.n() * s.d();
      flops +=
          defaults.getRestarts()
              * nd2
              * (1 + (s.k() - 1.0) * trials + (iterations[c] + 1.0) * s.k());
    }
    // Only the kept fit's iterations are known: with restarts > 1 the count is approximate.
    int[] sortedIter = iterations.clone();
    Arrays.sort(sortedIter);

    double[] peak = sgemmPeak(Integer.getInteger("ddoq.peakSize", 2048));
    double[] kernel = kernel(s, seed, defaults, trials);
    System.out.printf(
        Locale.ROOT,
        "one class in the driver's thread, warm (median of 5): LloydKMeans.fit %.4f s wall, %.4f"
            + " s CPU (%d iterations, %.2f GFLOP/s per CPU second = %.1f %% of the one-thread"
            + " peak), uniform W2 %.4f s wall, %.4f s CPU%n",
        kernel[0],
        kernel[4],
        (int) kernel[1],
        kernel[2] / kernel[4] / 1e9,
        100 * kernel[2] / kernel[4] / 1e9 / peak[0],
        kernel[3],
        kernel[5]);
    double fitMedian = median(fitSeconds);
    System.out.printf(
        Locale.ROOT,
        "ddoq quantize (ClassQuantizer.fit, defaults): median %.2f s of %s; transform + count"
            + " median %.2f s; %d Spark jobs, %d stages per fit%n",
        fitMedian,
        Arrays.toString(round(fitSeconds)),
        median(transformSeconds),
        fitJobs,
        fitStages);
    System.out.printf(
        Locale.ROOT,
        "in-task path alone (InTaskFits.fit): %.2f s wall; summed over the tasks: k-means %.2f s"
            + " (incl. sort and flatten), exact uniform W2 %.2f s; iterations min %d median %d"
            + " max %d%n",
        inTaskJobSeconds,
        kmeansTask,
        w2Task,
        sortedIter[0],
        sortedIter[sortedIter.length / 2],
        sortedIter[sortedIter.length - 1]);
    System.out.printf(
        Locale.ROOT,
        "sgemm %d^3 peak: %.1f GFLOP/s on one thread, %.1f GFLOP/s on two concurrent threads;"
            + " k-means arithmetic %.3g GFLOP: %.1f GFLOP/s over the stage's wall time = %.1f %%"
            + " of the two-thread peak; %.1f GFLOP/s per task-second = %.1f %% of the one-thread"
            + " peak%n",
        Integer.getInteger("ddoq.peakSize", 2048),
        peak[0],
        peak[1],
        flops / 1e9,
        flops / fitMedian / 1e9,
        100 * flops / fitMedian / 1e9 / peak[1],
        flops / kmeansTask / 1e9,
        100 * flops / kmeansTask / 1e9 / peak[0]);

    writeJson(
        out.resolve("ddoq.json"),
        s,
        seed,
        spark.sparkContext().master(),
        blas,
        fitSeconds,
        fitCpuSeconds,
        transformSeconds,
        fitJobs,
        fitStages,
        taskKMeansSeconds,
        inTaskJobSeconds,
        kmeansTask,
        w2Task,
        flops,
        peak,
        summaries,
        iterations);
    latents.unpersist();
  }

  /** The stage with its defaults but k (and restarts when -Dddoq.restarts is given). */
  private static ClassQuantizer quantizer(Shape s) {
    ClassQuantizer q = new ClassQuantizer().setK(s.k());
    return q.setRestarts(Integer.getInteger("ddoq.restarts", q.getRestarts()));
  }

  /** One completed stage: wall, tasks, summed run/CPU/GC/serialization times, shuffle bytes. */
  private static String stageLine(StageInfo info) {
    TaskMetrics m = info.taskMetrics();
    long wall =
        (Long) info.completionTime().getOrElse(() -> 0L)
            - (Long) info.submissionTime().getOrElse(() -> 0L);
    return String.format(
        Locale.ROOT,
        "  stage %d %-40.40s %5.2f s wall, %4d tasks, run %.2f s (cpu %.2f, gc %.2f,"
            + " deserialize %.2f, result-serialize %.2f), shuffle write %.1f MB in %.2f s,"
            + " read %.1f MB (fetch wait %.2f s)",
        info.stageId(),
        info.name(),
        wall / 1e3,
        info.numTasks(),
        m.executorRunTime() / 1e3,
        m.executorCpuTime() / 1e9,
        m.jvmGCTime() / 1e3,
        m.executorDeserializeTime() / 1e3,
        m.resultSerializationTime() / 1e3,
        m.shuffleWriteMetrics().bytesWritten() / 1e6,
        m.shuffleWriteMetrics().writeTime() / 1e9,
        m.shuffleReadMetrics().totalBytesRead() / 1e6,
        m.shuffleReadMetrics().fetchWaitTime() / 1e3);
  }

  // ---- synthetic latents -------------------------------------------------------------------

  /**
   * One class's n latents (row-major n x d floats): 3k Gaussian clusters, centres N(0, I), each
   * with its own spread (standard deviation uniform in [0.2, 1]) and weight (uniform in [0.5,
   * 1.5], normalised); a pure function of (seed, label, n, d, k).
   */
  static float[] classLatents(long seed, int label, int n, int d, int k) {
    SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, label));
    int m = 3 * k;
    double[] centres = new double[m * d];
    for (int i = 0; i < centres.length; i++) {
      centres[i] = rng.nextGaussian();
    }
    double[] spread = new double[m];
    double[] cumulative = new double[m];
    double total = 0;
    for (int j = 0; j < m; j++) {
      spread[j] = 0.2 + 0.8 * rng.nextDouble();
      total += 0.5 + rng.nextDouble();
      cumulative[j] = total;
    }
    float[] x = new float[n * d];
    for (int p = 0; p < n; p++) {
      double u = rng.nextDouble() * total;
      int j = 0;
      while (j < m - 1 && cumulative[j] <= u) {
        j++;
      }
      for (int i = 0; i < d; i++) {
        x[p * d + i] = (float) (centres[j * d + i] + spread[j] * rng.nextGaussian());
      }
    }
    return x;
  }

  /** The latents as the stage takes them, generated per class on the executors. */
  private static Dataset<Row> generate(SparkSession spark, Shape s, long seed) {
    int n = s.n();
    int d = s.d();
    int k = s.k();
    int slices = Math.min(s.classes(), 4 * spark.sparkContext().defaultParallelism());
    // Floats, as distill caches its latents; -Dddoq.vectors=true: ML vectors (doubles), as before.
    boolean vectors = Boolean.getBoolean("ddoq.vectors");
    return spark.createDataFrame(
        spark
            .range(0, s.classes(), 1, slices)
            .javaRDD()
            .flatMap(
                label -> {
                  int c = label.intValue();
                  float[] x = classLatents(seed, c, n, d, k);
                  List<Row> rows = new ArrayList<>(n);
                  for (int p = 0; p < n; p++) {
                    float[] f = Arrays.copyOfRange(x, p * d, (p + 1) * d);
                    Object latent = vectors ? Vectors.dense(toDoubles(f)) : f;
                    rows.add(RowFactory.create((long) c * n + p, c, "class_" + c, latent));
                  }
                  return rows.iterator();
                }),
        vectors ? SCHEMA : FLOAT_SCHEMA);
  }

  private static double[] toDoubles(float[] f) {
    double[] v = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      v[i] = f[i];
    }
    return v;
  }

  /** The same latents as label_L.npy (float32, n x d, rows in id order), written by executors. */
  private static void writeNpy(SparkSession spark, Shape s, long seed, Path out) {
    int n = s.n();
    int d = s.d();
    int k = s.k();
    String dir = out.toString();
    int slices = Math.min(s.classes(), 4 * spark.sparkContext().defaultParallelism());
    JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(range(s.classes()), slices)
        .foreach(
            c -> {
              float[] x = classLatents(seed, c, n, d, k);
              Path file = Path.of(dir, "label_" + c + ".npy");
              try (DataOutputStream stream =
                  new DataOutputStream(
                      new BufferedOutputStream(Files.newOutputStream(file), 1 << 20))) {
                Npy.writeHeader(stream, n, d);
                double[] row = new double[d];
                for (int p = 0; p < n; p++) {
                  for (int i = 0; i < d; i++) {
                    row[i] = x[p * d + i];
                  }
                  Npy.writeRow(stream, row);
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }

  /**
   * Class 0's fit and uniform W2 in this thread, after two warm-up rounds: {wall seconds of the
   * fit, its iterations, its flops, wall seconds of the W2, CPU seconds of the fit, CPU seconds of
   * the W2}, medians of 5 (CPU time: what a shared machine's load does not inflate).
   */
  private static double[] kernel(Shape s, long seed, ClassQuantizer q, int trials) {
    float[] x = classLatents(seed, 0, s.n(), s.d(), s.k());
    double[] fit = new double[5];
    double[] fitCpu = new double[5];
    double[] w2 = new double[5];
    double[] w2Cpu = new double[5];
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    LloydKMeans.Result r = null;
    for (int round = -2; round < 5; round++) {
      long c = threads.getCurrentThreadCpuTime();
      long t = System.nanoTime();
      r =
          LloydKMeans.fit(
              x,
              s.d(),
              s.k(),
              q.getSeed(),
              0,
              q.getRestarts(),
              q.getMaxIter(),
              q.getTol(),
              true);
      double fs = seconds(t);
      double fc = (threads.getCurrentThreadCpuTime() - c) / 1e9;
      c = threads.getCurrentThreadCpuTime();
      t = System.nanoTime();
      UniformTransport.w2Squared(x, s.d(), r.centroids().toArray(new double[0][]));
      if (round >= 0) {
        fit[round] = fs;
        fitCpu[round] = fc;
        w2[round] = seconds(t);
        w2Cpu[round] = (threads.getCurrentThreadCpuTime() - c) / 1e9;
      }
    }
    double flops =
        q.getRestarts()
            * 2.0
            * s.n()
            * s.d()
            * (1 + (s.k() - 1.0) * trials + (r.iterations() + 1.0) * s.k());
    return new double[] {
      median(fit), r.iterations(), flops, median(w2), median(fitCpu), median(w2Cpu)
    };
  }

  // ---- the machine's sgemm peak ------------------------------------------------------------

  /**
   * GFLOP/s of netlib's sgemm (the BLAS LloydKMeans calls) on a size^3 product: the best of 5 on
   * one thread, and the best of 5 rounds of two threads each running one product at once (two
   * Spark tasks' view of the machine).
   */
  static double[] sgemmPeak(int size) {
    double one = 0;
    for (int r = 0; r < 5; r++) {
      one = Math.max(one, sgemmRate(size, 1));
    }
    double two = 0;
    for (int r = 0; r < 5; r++) {
      two = Math.max(two, sgemmRate(size, 2));
    }
    return new double[] {one, two};
  }

  private static double sgemmRate(int size, int threads) {
    SplittableRandom rng = new SplittableRandom(1);
    float[][] a = new float[threads][size * size];
    float[][] b = new float[threads][size * size];
    float[][] c = new float[threads][size * size];
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < size * size; i++) {
        a[t][i] = (float) rng.nextDouble();
        b[t][i] = (float) rng.nextDouble();
      }
    }
    Thread[] workers = new Thread[threads];
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int tt = t;
      workers[t] =
          new Thread(
              () ->
                  BLAS.getInstance()
                      .sgemm(
                          "N", "N", size, size, size, 1f, a[tt], size, b[tt], size, 0f, c[tt],
                          size));
      workers[t].start();
    }
    for (Thread w : workers) {
      try {
        w.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return threads * 2.0 * size * size * (double) size / seconds(start) / 1e9;
  }

  // ---- output -----------------------------------------------------------------------------

  private static void writeJson(
      Path file,
      Shape s,
      long seed,
      String master,
      String blas,
      double[] fitSeconds,
      double[] fitCpuSeconds,
      double[] transformSeconds,
      int fitJobs,
      int fitStages,
      double taskKMeansSeconds,
      double inTaskJobSeconds,
      double kmeansTask,
      double w2Task,
      double flops,
      double[] peak,
      List<ClassQuantization> summaries,
      int[] iterations)
      throws IOException {
    StringBuilder j = new StringBuilder("{\n");
    j.append(
        String.format(
            Locale.ROOT,
            "  \"shape\": \"%s\", \"classes\": %d, \"n\": %d, \"d\": %d, \"k\": %d,"
                + " \"restarts\": %d, \"seed\": %d,%n",
            s.name(),
            s.classes(),
            s.n(),
            s.d(),
            s.k(),
            quantizer(s).getRestarts(),
            seed));
    j.append(
        String.format(
            Locale.ROOT,
            "  \"master\": \"%s\", \"blas\": \"%s\", \"cores\": %d,%n",
            master,
            blas,
            Runtime.getRuntime().availableProcessors()));
    j.append("  \"fit_seconds\": ").append(Arrays.toString(fitSeconds)).append(",\n");
    j.append("  \"fit_cpu_seconds\": ").append(Arrays.toString(fitCpuSeconds)).append(",\n");
    j.append("  \"transform_seconds\": ").append(Arrays.toString(transformSeconds)).append(",\n");
    j.append(
        String.format(
            Locale.ROOT,
            "  \"fit_jobs\": %d, \"fit_stages\": %d, \"task_kmeans_seconds_summary\": %.4f,%n"
                + "  \"in_task_job_seconds\": %.4f, \"task_kmeans_seconds\": %.4f,"
                + " \"task_w2_seconds\": %.4f,%n"
                + "  \"kmeans_flops\": %.6g, \"sgemm_peak_gflops_1thread\": %.3f,"
                + " \"sgemm_peak_gflops_2threads\": %.3f,%n",
            fitJobs,
            fitStages,
            taskKMeansSeconds,
            inTaskJobSeconds,
            kmeansTask,
            w2Task,
            flops,
            peak[0],
            peak[1]));
    j.append("  \"iterations\": ").append(Arrays.toString(iterations)).append(",\n");
    j.append("  \"distortion\": [");
    for (int c = 0; c < summaries.size(); c++) {
      j.append(c == 0 ? "" : ", ").append(summaries.get(c).distortion());
    }
    j.append("]\n}\n");
    Files.writeString(file, j.toString());
  }

  private static List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  /** CPU time of this JVM (driver and local executors, all threads: tasks, JIT, GC). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static double[] round(double[] v) {
    double[] r = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = Math.round(v[i] * 100) / 100.0;
    }
    return r;
  }
}
