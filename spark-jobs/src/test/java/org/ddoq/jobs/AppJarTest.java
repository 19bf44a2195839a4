package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * target/ddoq-app.jar, the jar spark-submit takes: what is in it, what is not (the cluster's Spark
 * and Hadoop), and its entry points. SparkSubmitLocalTest runs it.
 */
class AppJarTest {

  @Test
  void holdsDdoqDjlAndTheCpuNativeLibraryButNotSparkOrHadoop() throws IOException {
    try (JarFile jar =
        new JarFile(SparkSubmitLocalTest.repoFile("spark-jobs/target/ddoq-app.jar").toFile())) {
      Set<String> names = jar.stream().map(e -> e.getName()).collect(Collectors.toSet());
      for (String entry :
          List.of(
              "org/ddoq/jobs/Ddoq.class",
              "org/ddoq/jobs/DistillJob.class",
              "org/ddoq/jobs/TrainPriorJob.class",
              "org/ddoq/jobs/EvaluateJob.class",
              "org/ddoq/jobs/ExportLatentsJob.class",
              "org/ddoq/core/stage/LatentEncoder.class",
              "picocli/CommandLine.class",
              "ai/djl/engine/Engine.class",
              "ai/djl/pytorch/engine/PtEngine.class",
              "com/sun/jna/Native.class",
              "native/lib/pytorch.properties",
              "pytorch/cpu/linux-x86_64/libtorch_cpu.so",
              "jnilib/linux-x86_64/cpu/libdjl_torch.so")) {
        assertTrue(names.contains(entry), entry + " missing");
      }
      for (String prefix :
          List.of("org/apache/spark/", "org/apache/hadoop/", "scala/", "com/fasterxml/jackson/")) {
        assertTrue(
            names.stream().noneMatch(n -> n.startsWith(prefix)),
            prefix + " belongs to the cluster, not the jar");
      }
      String services =
          new String(
              jar.getInputStream(jar.getEntry("META-INF/services/ai.djl.engine.EngineProvider"))
                  .readAllBytes(),
              StandardCharsets.UTF_8);
      assertTrue(
          services.contains("ai.djl.pytorch.engine.PtEngineProvider"),
          "DJL finds PyTorch through: " + services);
      assertEquals(
          "org.ddoq.jobs.Ddoq",
          jar.getManifest().getMainAttributes().getValue("Main-Class"),
          "spark-submit without --class runs the ddoq CLI");
    }
  }

  @Test
  void mainReturnsInsteadOfExitingInsideYarnsApplicationMaster() {
    assertFalse(Ddoq.inYarnApplicationMaster());
    System.setProperty("spark.master", "yarn");
    System.setProperty("spark.submit.deployMode", "cluster");
    try {
      // Would end this test JVM (and fail the build) if main called System.exit(0).
      Ddoq.main(new String[] {"help"});
      assertTrue(Ddoq.inYarnApplicationMaster());
    } finally {
      System.clearProperty("spark.master");
      System.clearProperty("spark.submit.deployMode");
    }
  }
}
