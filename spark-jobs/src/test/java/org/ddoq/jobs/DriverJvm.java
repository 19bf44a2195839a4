package org.ddoq.jobs;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code ddoq <args>} in a JVM of its own, as {@code bin/ddoq} starts it: the main classes and the
 * dependencies (not the test classes), Spark's JVM flags, DJL offline, Spark's default INFO logging
 * on stderr. For what only a separate process shows: a kill, a signal, an exit status.
 */
final class DriverJvm {
  private DriverJvm() {}

  /** The process, not started; {@code jvmFlags} go before the main class (e.g. -Dspark.x=y). */
  static ProcessBuilder builder(List<String> jvmFlags, String... args) {
    String cp =
        Stream.of(
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"))
                    .split(File.pathSeparator))
            .filter(p -> !p.endsWith("test-classes"))
            .reduce((a, b) -> a + File.pathSeparator + b)
            .orElseThrow();
    List<String> cmd =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
    cmd.addAll(StandaloneCluster.SPARK_JVM_FLAGS);
    cmd.add("-Dai.djl.offline=true");
    cmd.add("-Dspark.ui.enabled=false");
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-cp", cp, Ddoq.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb;
  }
}
