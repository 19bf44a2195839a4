package org.ddoq.jobs;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real S3 server on loopback for tests: s3proxy (Maven Central {@code org.gaul:s3proxy}, copied
 * to {@code target/s3proxy/s3proxy.jar} by the build) run as {@code java -jar} over jclouds'
 * filesystem backend, so every stored object is a plain file under {@link #storage()} (a bucket is
 * a directory). Recipe: STACK.md "S3 through hadoop-aws".
 */
final class S3Proxy implements AutoCloseable {
  static final Path JAR = Path.of("target", "s3proxy", "s3proxy.jar");
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path storage;
  private final Path log;
  private final String endpoint;
  private final Process process;

  private S3Proxy(Path dir, String accessKey, String secretKey) throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(
          JAR.toAbsolutePath()
              + " is missing: run the tests through Maven (mvn test),"
              + " whose generate-test-resources phase copies s3proxy there");
    }
    storage = Files.createDirectories(dir.resolve("s3-storage"));
    log = dir.resolve("s3proxy.log");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    endpoint = "http://127.0.0.1:" + port;
    Path properties = dir.resolve("s3proxy.conf");
    Files.writeString(
        properties,
        String.join(
                "\n",
                "s3proxy.endpoint=" + endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + accessKey,
                "s3proxy.credential=" + secretKey,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + storage)
            + "\n");
    process =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-jar",
                    JAR.toAbsolutePath().toString(),
                    "--properties",
                    properties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
  }

  /** Starts s3proxy with one identity and waits until it accepts connections. */
  static S3Proxy start(Path dir, String accessKey, String secretKey)
      throws IOException, InterruptedException {
    S3Proxy proxy = new S3Proxy(dir, accessKey, secretKey);
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.readString(proxy.log, StandardCharsets.UTF_8).contains("Started")) {
        return proxy;
      }
      if (!proxy.process.isAlive()) {
        break;
      }
      Thread.sleep(100);
    }
    proxy.close();
    throw new IllegalStateException(
        "s3proxy did not start:\n" + Files.readString(proxy.log, StandardCharsets.UTF_8));
  }

  /** {@code http://127.0.0.1:PORT}. */
  String endpoint() {
    return endpoint;
  }

  /** Where the objects are stored: {@code storage()/<bucket>/<key>}. */
  Path storage() {
    return storage;
  }

  /** Creates an empty bucket (the filesystem backend's bucket is a directory). */
  void createBucket(String name) throws IOException {
    Files.createDirectories(storage.resolve(name));
  }

  /** The Spark settings that point s3a at this server (credentials are the caller's business). */
  List<String[]> sparkSettings() {
    return List.of(
        new String[] {"spark.hadoop.fs.s3a.endpoint", endpoint},
        new String[] {"spark.hadoop.fs.s3a.endpoint.region", "us-east-1"},
        new String[] {"spark.hadoop.fs.s3a.path.style.access", "true"},
        new String[] {"spark.hadoop.fs.s3a.connection.ssl.enabled", "false"},
        // A refused request is final here; S3A's default retries would only slow the error tests
        // down.
        new String[] {"spark.hadoop.fs.s3a.retry.limit", "1"},
        new String[] {"spark.hadoop.fs.s3a.attempts.maximum", "1"});
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
