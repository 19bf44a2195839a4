package org.ddoq.core.prior;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/** Which device a Spark task runs its model on. */
public final class Devices {
  private static final Logger LOG = LoggerFactory.getLogger(Devices.class);
  private static final AtomicBoolean CPU_FALLBACK_LOGGED = new AtomicBoolean();

  private Devices() {}

  /**
   * The GPU Spark assigned to the calling task ({@code TaskContext.resources().get("gpu")}, first
   * address) when there is one and the engine sees a GPU; otherwise the CPU, said once per JVM in the log.
   * Outside a task (driver, tests) the same rule applies with no assignment, so: CPU unless a GPU exists.
   */
  public static Device forCurrentTask() {
    String assigned = null;
    TaskContext task = TaskContext.get();
    if (task != null) {
      Option<ResourceInformation> gpu = task.resources().get("gpu");
      if (gpu.isDefined() && gpu.get().addresses().length > 0) {
        assigned = gpu.get().addresses()[0];
      }
    }
    int gpus = Engine.getInstance().getGpuCount();
    if (gpus > 0 && (assigned != null || task == null)) {
      int index = assigned == null ? 0 : Integer.parseInt(assigned.trim());
      if (index < gpus) {
        return Device.gpu(index);
      }
    }
    if (CPU_FALLBACK_LOGGED.compareAndSet(false, true)) {
      LOG.info("running the prior on CPU: Spark assigned {} and the {} engine sees {} GPU(s)",
          assigned == null ? "no GPU" : "GPU " + assigned, Engine.getInstance().getEngineName(), gpus);
    }
    return Device.cpu();
  }
}
