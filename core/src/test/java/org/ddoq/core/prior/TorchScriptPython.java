package org.ddoq.core.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Python with PyTorch, for tests that compare Java with PyTorch on the same TorchScript
 * files: runs the export script's {@code --tiny} mode and reference scripts. Fails (never skips)
 * when PyTorch is missing, naming the package to install, so CI cannot pass without having checked
 * parity.
 */
public final class TorchScriptPython {
  /** Debian's interpreter: the python3 first on PATH may be a separate build without torch. */
  public static final String PYTHON = "/usr/bin/python3";

  private static final String HINT =
      "these tests need "
          + PYTHON
          + " with PyTorch and NumPy: "
          + "apt-get install -y python3-torch python3-numpy";

  private TorchScriptPython() {}

  /**
   * Writes a tiny random-weight TorchScript prior to {@code out} ({@code extra}: more script
   * options).
   */
  public static Path exportTiny(Path out, String... extra) {
    requireTorch();
    Path script =
        Path.of(System.getProperty("basedir", ".")).resolve("src/main/python/ddoq_export_prior.py");
    assertTrue(
        Files.isRegularFile(script), "export script not found at " + script.toAbsolutePath());
    List<String> args =
        new ArrayList<>(List.of(script.toString(), "--tiny", "--out", out.toString()));
    args.addAll(List.of(extra));
    run(args);
    return out;
  }

  /**
   * Runs {@code PYTHON args...} and returns its non-blank stdout lines; fails on a non-zero exit.
   */
  public static List<String> run(List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(PYTHON));
    cmd.addAll(args);
    try {
      Path err = Files.createTempFile("ddoq-python", ".err");
      Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + cmd);
      String stderr = Files.readString(err);
      Files.delete(err);
      assertEquals(0, p.exitValue(), cmd + " failed:\n" + stderr);
      return out.lines().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new AssertionError("could not run " + cmd + "; " + HINT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + cmd, e);
    }
  }

  /** Parses lines of space-separated floats, as the reference scripts print them. */
  public static float[][] floats(List<String> lines) {
    float[][] rows = new float[lines.size()][];
    for (int i = 0; i < rows.length; i++) {
      String[] parts = lines.get(i).trim().split(" ");
      rows[i] = new float[parts.length];
      for (int j = 0; j < parts.length; j++) {
        rows[i][j] = (float) Double.parseDouble(parts[j]);
      }
    }
    return rows;
  }

  private static void requireTorch() {
    if (!Files.isExecutable(Path.of(PYTHON))) {
      fail(PYTHON + " not found; " + HINT);
    }
    try {
      Process p =
          new ProcessBuilder(PYTHON, "-c", "import torch, numpy").redirectErrorStream(true).start();
      String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        fail("'import torch, numpy' failed (" + msg.trim() + "); " + HINT);
      }
    } catch (IOException | InterruptedException e) {
      fail("could not start " + PYTHON + "; " + HINT, e);
    }
  }
}
