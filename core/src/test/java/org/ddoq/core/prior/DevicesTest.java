package org.ddoq.core.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

/**
 * The device rule without a GPU: what Spark assigned and what the engine sees decide the device.
 */
class DevicesTest {
  private static final String[] NONE = new String[0];

  @Test
  void assignedAddressSelectsThatCudaOrdinal() {
    assertEquals(Device.gpu(1), Devices.choose(new String[] {"1"}, 2, true));
    assertEquals(Device.gpu(0), Devices.choose(new String[] {" 0 "}, 2, true));
    // A task given two GPUs uses the first one.
    assertEquals(Device.gpu(1), Devices.choose(new String[] {"1", "0"}, 2, true));
    assertNull(Devices.decide(new String[] {"1"}, 2, true).cpuReason());
  }

  @Test
  void fractionalSharingGivesTasksOnOneAddressTheSameDeviceAndSoOneCachedModel() {
    // spark.task.resource.gpu.amount=0.25: four tasks see address "0"; PriorModels keys its cache
    // by device, so equal devices mean one load.
    Device first = Devices.choose(new String[] {"0"}, 1, true);
    for (int task = 0; task < 3; task++) {
      Device again = Devices.choose(new String[] {"0"}, 1, true);
      assertEquals(first, again);
      assertEquals(first.hashCode(), again.hashCode());
    }
    assertEquals(Device.gpu(0), first);
  }

  @Test
  void assignedButEngineSeesNoCudaFallsBackToCpuAndSaysWhy() {
    Devices.Choice choice = Devices.decide(new String[] {"0"}, 0, true);
    assertEquals(Device.cpu(), choice.device());
    assertTrue(
        choice.cpuReason().contains("assigned GPU 0 but the engine sees no CUDA GPU"),
        choice.cpuReason());
    assertEquals(Device.cpu(), Devices.choose(new String[] {"0"}, 0, true));
  }

  @Test
  void addressBeyondTheEngineCountFallsBackToCpuAndNamesBothNumbers() {
    Devices.Choice choice = Devices.decide(new String[] {"3"}, 2, true);
    assertEquals(Device.cpu(), choice.device());
    assertTrue(
        choice.cpuReason().contains("assigned GPU 3 but the engine sees only 2 GPU(s)"),
        choice.cpuReason());
  }

  @Test
  void nonNumericAddressFallsBackToCpu() {
    Devices.Choice choice = Devices.decide(new String[] {"GPU-5f1c"}, 2, true);
    assertEquals(Device.cpu(), choice.device());
    assertTrue(
        choice.cpuReason().contains("'GPU-5f1c', which is not a CUDA device index"),
        choice.cpuReason());
  }

  @Test
  void aTaskWithoutAnAssignedGpuNeverTakesOneEvenWhenTheEngineSeesSome() {
    // Another task or executor may own that GPU: only Spark hands them out.
    Devices.Choice choice = Devices.decide(NONE, 4, true);
    assertEquals(Device.cpu(), choice.device());
    assertTrue(choice.cpuReason().contains("assigned this task no GPU"), choice.cpuReason());
  }

  @Test
  void outsideATaskTheFirstGpuIsUsedWhenThereIsOne() {
    assertEquals(Device.gpu(0), Devices.choose(NONE, 2, false));
    assertEquals(Device.cpu(), Devices.choose(NONE, 0, false));
  }

  @Test
  void onThisCpuOnlyMachineTheDriverRunsOnCpu() {
    assertEquals(Device.cpu(), Devices.forCurrentTask());
  }
}
