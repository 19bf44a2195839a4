package org.ddoq.jobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program with a clean environment (only PATH, HOME and what the test gives) and captures
 * its output.
 */
record ScriptRun(int status, String out, String err) {

  static ScriptRun run(Map<String, String> env, List<String> command)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> e = pb.environment();
    e.clear(); // no DDOQ_*, SPARK_HOME or DJL_CACHE_DIR of the machine running the tests
    e.put("PATH", System.getenv("PATH"));
    e.put("HOME", System.getProperty("user.home"));
    e.putAll(env);
    Process p = pb.start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("did not finish in 60 s: " + command);
    }
    return new ScriptRun(p.exitValue(), out.join(), err.join());
  }

  /** {@code bash submit-scripts/NAME args...}. */
  static ScriptRun submitScript(String name, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of("bash", SparkSubmitLocalTest.repoFile("submit-scripts/" + name).toString()));
    cmd.addAll(List.of(args));
    return run(env, cmd);
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }
}
