package org.ddoq.core.stage;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs on the driver how many classes the in-task fits have finished, as each task (a group of
 * classes) ends: with 1,000 classes the job is one long stage, and the executors' own lines are not
 * on the driver's console on a cluster. At most one line per {@value #EVERY_MS} ms, plus the last.
 * Only the job started inside {@link #track} is counted (a local property marks it).
 */
final class QuantizeProgress extends SparkListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QuantizeProgress.class);
  private static final String MARK = "ddoq.quantize.progress";
  private static final long EVERY_MS = 5_000;

  private final SparkContext sc;
  private final String token = UUID.randomUUID().toString();
  private final String previous;
  private final int[] classesOfPartition;
  private final int classes;
  private final long start = System.nanoTime();
  private final Map<Integer, Boolean> resultStages = new ConcurrentHashMap<>();
  private final AtomicInteger done = new AtomicInteger();
  private volatile long lastLog = System.currentTimeMillis();

  private QuantizeProgress(SparkContext sc, int[] classesOfPartition) {
    this.sc = sc;
    this.classesOfPartition = classesOfPartition;
    int sum = 0;
    for (int c : classesOfPartition) {
      sum += c;
    }
    this.classes = sum;
    this.previous = sc.getLocalProperty(MARK);
    sc.setLocalProperty(MARK, token);
    sc.addSparkListener(this);
  }

  /**
   * Starts counting the next job this thread runs; close it after the job.
   *
   * @param classesOfPartition how many classes each partition of the fitting stage holds
   */
  static QuantizeProgress track(SparkContext sc, int[] classesOfPartition) {
    return new QuantizeProgress(sc, classesOfPartition);
  }

  @Override
  public void onJobStart(SparkListenerJobStart job) {
    if (job.properties() != null && token.equals(job.properties().getProperty(MARK))) {
      // The job's last stage runs the fits (the earlier one, if any, writes the shuffle).
      int last = -1;
      for (Object id : scala.jdk.javaapi.CollectionConverters.asJava(job.stageIds())) {
        last = Math.max(last, (Integer) id);
      }
      resultStages.put(last, true);
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd task) {
    if (!resultStages.containsKey(task.stageId()) || !(task.reason() instanceof Success$)) {
      return;
    }
    int index = task.taskInfo().index();
    int now = done.addAndGet(index < classesOfPartition.length ? classesOfPartition[index] : 0);
    long ms = System.currentTimeMillis();
    if (now == classes || ms - lastLog >= EVERY_MS) {
      lastLog = ms;
      LOG.info(
          "quantize: {} of {} classes fitted ({} %) in {} s",
          now,
          classes,
          classes == 0 ? 100 : 100L * now / classes,
          String.format("%.0f", (System.nanoTime() - start) / 1e9));
    }
  }

  /** Classes fitted so far (the listener bus delivers task ends asynchronously). */
  int fitted() {
    return done.get();
  }

  @Override
  public void close() {
    sc.removeSparkListener(this);
    sc.setLocalProperty(MARK, previous);
  }
}
