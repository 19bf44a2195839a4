package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * submit-scripts/*.sh: the commands they print with --dry-run (GPU settings, DJL cache, memory, the
 * conf/ template), the conf/ templates' JVM flags, and the errors a user gets for a missing
 * setting.
 */
class SubmitScriptsTest {
  private static final Path ROOT = SparkSubmitLocalTest.repoFile("submit-scripts").getParent();

  @Test
  void standaloneDryRunPrintsTheWholeCommand() throws Exception {
    ScriptRun r =
        ScriptRun.submitScript(
            "submit-standalone.sh",
            Map.of("DDOQ_MASTER", "spark://m:7077", "DDOQ_TOTAL_EXECUTOR_CORES", "8"),
            "--dry-run",
            "distill",
            "--input",
            "/data/it's here",
            "--ipc",
            "10");
    assertEquals(0, r.status(), r.err());
    assertEquals(
        "spark-submit --master spark://m:7077 --conf spark.executorEnv.DJL_CACHE_DIR=/var/tmp/ddoq-djl-cache"
            + " --properties-file "
            + ROOT.resolve("conf/spark-defaults.standalone.conf")
            + " --total-executor-cores 8 --executor-cores 2 --executor-memory 4g --driver-memory 4g --name ddoq-distill"
            + " --class org.ddoq.jobs.Ddoq --deploy-mode client "
            + ROOT.resolve("spark-jobs/target/ddoq-app.jar")
            + " distill --input '/data/it'\"'\"'s here' --ipc 10",
        r.out().strip(),
        "quoted so it can be pasted into a shell");
  }

  @Test
  void gpuSettingsGiveOneTaskPerGpuShare() throws Exception {
    ScriptRun r =
        ScriptRun.submitScript(
            "submit-yarn.sh",
            Map.of(
                "HADOOP_CONF_DIR",
                ROOT.resolve("conf").toString(),
                "DDOQ_GPUS_PER_EXECUTOR",
                "1",
                "DDOQ_GPU_PER_TASK",
                "0.25",
                "DJL_CACHE_DIR",
                "/local/djl"),
            "--dry-run",
            "distill");
    assertEquals(0, r.status(), r.err());
    String cmd = r.out();
    Path discovery = ROOT.resolve("conf/gpu/getGpusResources.sh");
    assertTrue(Files.isExecutable(discovery));
    for (String expected :
        List.of(
            "--master yarn ",
            "--conf spark.executor.resource.gpu.amount=1 ",
            "--conf spark.executor.resource.gpu.discoveryScript=" + discovery + " ",
            "--conf spark.task.resource.gpu.amount=0.25 ",
            "--executor-cores 4 ",
            "--conf spark.executorEnv.DJL_CACHE_DIR=/local/djl ",
            "--conf spark.yarn.appMasterEnv.DJL_CACHE_DIR=/local/djl ",
            "--deploy-mode cluster ")) {
      assertTrue(cmd.contains(expected), expected + " missing in: " + cmd);
    }
    ScriptRun k8s =
        ScriptRun.submitScript(
            "submit-k8s.sh",
            Map.of(
                "DDOQ_MASTER",
                "k8s://https://api:6443",
                "DDOQ_IMAGE",
                "registry/ddoq:1",
                "DDOQ_GPUS_PER_EXECUTOR",
                "1",
                "DDOQ_ARCHIVES",
                "s3a://b/prior.tgz#prior"),
            "--dry-run",
            "distill",
            "--prior",
            "prior");
    assertEquals(0, k8s.status(), k8s.err());
    for (String expected :
        List.of(
            "--conf spark.executor.resource.gpu.vendor=nvidia.com ",
            "--conf spark.kubernetes.container.image=registry/ddoq:1 ",
            "--deploy-mode cluster local:///opt/ddoq/ddoq-app.jar ",
            "--properties-file "
                + ROOT.resolve("conf/spark-defaults.k8s.conf")
                + " --archives 's3a://b/prior.tgz#prior' --num-executors 2 ",
            "spark.executor.resource.gpu.discoveryScript=/opt/ddoq/conf/gpu/getGpusResources.sh ")) {
      assertTrue(k8s.out().contains(expected), expected + " missing in: " + k8s.out());
    }
  }

  @Test
  void templatesKeepDjlOfflineAndCarrySparksJvmFlagsOnDriverAndExecutors() throws Exception {
    for (String manager : List.of("local", "standalone", "yarn", "k8s")) {
      List<String> lines =
          Files.readAllLines(ROOT.resolve("conf/spark-defaults." + manager + ".conf"));
      List<String> sides =
          manager.equals("local") ? List.of("driver") : List.of("driver", "executor");
      for (String side : sides) {
        String key = "spark." + side + ".extraJavaOptions";
        String value =
            lines.stream()
                .filter(l -> l.startsWith(key))
                .findFirst()
                .orElseThrow(() -> new AssertionError(manager + ": no " + key))
                .substring(key.length())
                .strip();
        List<String> flags = List.of(value.split("\\s+"));
        assertTrue(flags.contains("-Dai.djl.offline=true"), manager + " " + key);
        assertTrue(
            flags.containsAll(StandaloneCluster.SPARK_JVM_FLAGS),
            manager + " " + key + " lacks a Spark 4 flag");
      }
    }
  }

  @Test
  void missingSettingsSayWhatToDo() throws Exception {
    assertError(
        ScriptRun.submitScript("submit-standalone.sh", Map.of(), "distill"),
        "DDOQ_MASTER is not set",
        "spark://");
    assertError(
        ScriptRun.submitScript("submit-standalone.sh", Map.of("DDOQ_MASTER", "yarn"), "distill"),
        "submit-yarn.sh");
    assertError(
        ScriptRun.submitScript("submit-yarn.sh", Map.of(), "distill"),
        "HADOOP_CONF_DIR is not set");
    assertError(
        ScriptRun.submitScript(
            "submit-k8s.sh", Map.of("DDOQ_MASTER", "k8s://https://api:6443"), "distill"),
        "DDOQ_IMAGE is not set",
        "Dockerfile");
    assertError(ScriptRun.submitScript("submit-local.sh", Map.of()), "no command given");
    assertError(
        ScriptRun.submitScript("submit-local.sh", Map.of(), "distil"), "unknown command 'distil'");
    assertError(
        ScriptRun.submitScript(
            "submit-standalone.sh",
            Map.of("DDOQ_MASTER", "spark://m:7077", "DDOQ_GPU_PER_TASK", "2"),
            "--dry-run",
            "distill"),
        "DDOQ_GPU_PER_TASK='2'");
    assertError(
        ScriptRun.submitScript(
            "submit-local.sh", Map.of("DDOQ_APP_JAR", "/nowhere/ddoq-app.jar"), "distill"),
        "/nowhere/ddoq-app.jar not found",
        "mvn -B -DskipTests package");
    assertError(
        ScriptRun.submitScript(
            "submit-local.sh",
            Map.of("SPARK_HOME", "/nowhere", "DDOQ_APP_JAR", ROOT.resolve("pom.xml").toString()),
            "distill"),
        "SPARK_HOME=/nowhere has no bin/spark-submit");
  }

  private static void assertError(ScriptRun r, String... phrases) {
    assertEquals(2, r.status(), r.out() + r.err());
    assertEquals(
        "",
        r.out(),
        "nothing on stdout, so a --dry-run consumer never takes an error for a command");
    for (String phrase : phrases) {
      assertTrue(r.err().contains(phrase), "'" + phrase + "' missing in: " + r.err());
    }
  }
}
