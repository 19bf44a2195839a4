package org.ddoq.jobs;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A Spark installation for tests, made from the Maven jars on the test classpath: {@code jars/}
 * holds Spark, Hadoop and Scala but nothing of ddoq or DJL, like a cluster's Spark, so an
 * application that runs on it must bring those in its own jar. {@code bin/spark-submit} is a
 * stand-in for the distribution's script that runs Spark's real launcher (test resource {@code
 * spark-submit}).
 */
final class SparkHome {
  /**
   * Jars that are not Spark's (besides ddoq-*.jar): ddoq itself, DJL and its JNA, and the test
   * frameworks.
   */
  private static final List<String> NOT_SPARK =
      List.of(
          "/ai/djl/",
          "/net/java/dev/jna/",
          "/org/ddoq/",
          "/org/junit/",
          "/org/opentest4j/",
          "/org/apiguardian/",
          "/org/apache/maven/surefire/",
          "/org/gaul/");

  private SparkHome() {}

  /** Creates {@code dir/jars} (symlinks) and {@code dir/bin/spark-submit}; returns {@code dir}. */
  static Path create(Path dir) throws IOException {
    Path jars = Files.createDirectories(dir.resolve("jars"));
    Set<String> names = new HashSet<>();
    for (Path jar : sparkJars()) {
      String name = jar.getFileName().toString();
      Files.createSymbolicLink(
          jars.resolve(names.add(name) ? name : names.size() + "-" + name), jar);
    }
    Path submit = Files.createDirectories(dir.resolve("bin")).resolve("spark-submit");
    try (InputStream in = SparkHome.class.getResourceAsStream("spark-submit")) {
      Files.copy(in, submit);
    }
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  /** The test classpath's jars that a Spark 4.2 distribution also has. */
  static List<Path> sparkJars() {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Stream.of(cp.split(File.pathSeparator))
        .filter(s -> s.endsWith(".jar"))
        .map(s -> Path.of(s).toAbsolutePath())
        .filter(Files::isRegularFile)
        .filter(p -> !p.getFileName().toString().startsWith("ddoq-"))
        .filter(
            p ->
                NOT_SPARK.stream()
                    .noneMatch(n -> p.toString().replace(File.separatorChar, '/').contains(n)))
        .toList();
  }
}
