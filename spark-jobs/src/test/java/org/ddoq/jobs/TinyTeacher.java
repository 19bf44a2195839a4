package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A TorchScript teacher as users bring one: core/src/test/python/tiny_teacher.py with Debian's
 * python3-torch.
 */
final class TinyTeacher {
  private TinyTeacher() {}

  /**
   * Writes the teacher to {@code out}; {@code options} as the script takes them (e.g. --epochs 3).
   */
  static Path write(Path out, String... options) throws IOException, InterruptedException {
    Path script =
        Path.of(System.getProperty("basedir", "."))
            .resolve("../core/src/test/python/tiny_teacher.py");
    List<String> cmd =
        new ArrayList<>(List.of("/usr/bin/python3", script.toString(), "--out", out.toString()));
    cmd.addAll(List.of(options));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS));
    assertEquals(
        0,
        p.exitValue(),
        "tiny_teacher.py failed (needs apt-get install python3-torch python3-numpy):\n" + output);
    return out;
  }
}
