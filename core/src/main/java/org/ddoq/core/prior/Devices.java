package org.ddoq.core.prior;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * Which device a Spark task runs its model on. Spark's resource scheduling owns the GPUs: a task
 * uses the GPU address Spark assigned it ({@code spark.task.resource.gpu.amount}, fractions share
 * one GPU), never a GPU it was not given, because another task or executor may own that one.
 * Everything else runs on the CPU, and the first CPU choice in a JVM says why in one log line
 * (docs/gpu.md).
 *
 * <p>{@link #choose} is the pure rule; {@link #forCurrentTask} only gathers its inputs from Spark
 * and DJL, so the rule is tested without a GPU or a cluster.
 */
public final class Devices {
  /**
   * Start of the one log line per JVM that explains a CPU choice (tests and operators grep for it).
   */
  public static final String CPU_LOG_PREFIX = "running the prior on CPU: ";

  private static final Logger LOG = LoggerFactory.getLogger(Devices.class);
  private static final AtomicBoolean CPU_LOGGED = new AtomicBoolean();

  private Devices() {}

  /** A device and, when it is the CPU, why (null for a GPU). */
  record Choice(Device device, String cpuReason) {}

  /**
   * The device for the calling code: inside a Spark task the first GPU address from {@code
   * TaskContext.resources().get("gpu")}; outside a task (driver, local tools) GPU 0 when the engine
   * sees one. CPU otherwise, logged once per JVM.
   */
  public static Device forCurrentTask() {
    TaskContext task = TaskContext.get();
    String[] assigned = new String[0];
    if (task != null) {
      Option<ResourceInformation> gpu = task.resources().get("gpu");
      if (gpu.isDefined()) {
        assigned = gpu.get().addresses();
      }
    }
    return choose(assigned, Engine.getInstance().getGpuCount(), task != null);
  }

  /**
   * The pure rule behind {@link #forCurrentTask}; logs the CPU reason on the first CPU choice in
   * this JVM.
   *
   * @param assignedGpuAddresses the task's Spark "gpu" addresses (empty when none were scheduled)
   * @param engineGpuCount CUDA devices the DJL engine sees (0 with the CPU build of PyTorch)
   * @param inTask whether the caller runs inside a Spark task
   */
  public static Device choose(String[] assignedGpuAddresses, int engineGpuCount, boolean inTask) {
    Choice choice = decide(assignedGpuAddresses, engineGpuCount, inTask);
    if (choice.cpuReason() != null && CPU_LOGGED.compareAndSet(false, true)) {
      // A GPU Spark scheduled but cannot be used is a misconfiguration: warn. No GPU at all is
      // normal.
      if (assignedGpuAddresses.length > 0) {
        LOG.warn(CPU_LOG_PREFIX + choice.cpuReason());
      } else {
        LOG.info(CPU_LOG_PREFIX + choice.cpuReason());
      }
    }
    return choice.device();
  }

  static Choice decide(String[] assigned, int engineGpus, boolean inTask) {
    if (!inTask) {
      return engineGpus > 0
          ? new Choice(Device.gpu(0), null)
          : new Choice(Device.cpu(), "the engine sees no CUDA GPU (not in a Spark task)");
    }
    if (assigned.length == 0) {
      return new Choice(
          Device.cpu(),
          "Spark assigned this task no GPU (spark.task.resource.gpu.amount "
              + "is unset or the executor has no gpu resource); the engine sees "
              + engineGpus
              + " GPU(s)");
    }
    // Spark's addresses are what the discovery script printed; ours prints nvidia-smi indices,
    // which are CUDA ordinals as long as CUDA_VISIBLE_DEVICES does not renumber them (docs/gpu.md).
    String address = assigned[0].trim();
    int index;
    try {
      index = Integer.parseInt(address);
    } catch (NumberFormatException e) {
      return new Choice(
          Device.cpu(),
          "Spark assigned GPU address '"
              + address
              + "', which is not a CUDA "
              + "device index; make the discovery script print nvidia-smi indices (conf/gpu/getGpusResources.sh)");
    }
    if (engineGpus == 0) {
      return new Choice(
          Device.cpu(),
          "Spark assigned GPU "
              + address
              + " but the engine sees no CUDA GPU "
              + "(the CPU build of PyTorch's native library is on the classpath? see docs/gpu.md)");
    }
    if (index < 0 || index >= engineGpus) {
      return new Choice(
          Device.cpu(),
          "Spark assigned GPU "
              + address
              + " but the engine sees only "
              + engineGpus
              + " GPU(s), 0.."
              + (engineGpus - 1)
              + " (CUDA_VISIBLE_DEVICES narrower than the "
              + "discovery script?)");
    }
    return new Choice(Device.gpu(index), null);
  }
}
