package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.ddoq.core.pipeline.DistillSettings;
import org.ddoq.core.prior.VaeTrainingConfig;
import org.junit.jupiter.api.Test;

/**
 * The picocli command line without Spark: generated help with the core's defaults, and one line on
 * stderr with status 2 for each kind of bad option (all found before a Spark session starts).
 */
class CommandLineTest {
  record Printed(int status, String out, String err) {}

  private static Printed ddoq(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = Ddoq.run(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Printed(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void topLevelHelpListsTheCommands() {
    Printed p = ddoq("--help");
    assertEquals(0, p.status());
    for (String command :
        new String[] {
          "distill", "decode", "train-prior", "evaluate", "train-teacher", "export-latents"
        }) {
      assertTrue(p.out().contains("  " + command + " "), command + " missing in " + p.out());
    }
    assertEquals(2, ddoq().status(), "no command: the help, and status 2");
  }

  @Test
  void commandHelpShowsTheCoreDefaults() {
    DistillSettings d = DistillSettings.defaults();
    Printed p = ddoq("distill", "--help");
    assertEquals(0, p.status());
    assertTrue(p.out().contains("--ipc=N"), p.out());
    assertTrue(p.out().contains("(k of k-means; default " + d.ipc() + ")"), p.out());
    assertTrue(p.out().contains("default " + d.weights() + ")"), p.out());
    assertTrue(p.out().contains("--format=auto|idx|folder|parquet"), p.out());
    assertTrue(
        p.out().contains("VAE training epochs (default " + VaeTrainingConfig.defaults().epochs()),
        p.out());
    assertEquals(p.out(), ddoq("help", "distill").out());
  }

  @Test
  void badOptionsGiveOneLineNamingTheOption() {
    String[][] cases = {
      {"unknown option --ipcs (did you mean --ipc N?)", "distill", "--ipcs", "3"},
      // A typo in a required option is the typo, not a missing option.
      {
        "unknown option --inptu (did you mean --input DIR?)",
        "distill",
        "--inptu",
        "i",
        "--out",
        "o"
      },
      {"--ipc must be >= 1, got 0", "distill", "--input", "i", "--out", "o", "--ipc", "0"},
      {"--ipc must be a whole number, got 'x'", "distill", "--input", "i", "--ipc", "x"},
      {
        "--weights must be one of mass, sqrt, uniform; got 'w'",
        "distill",
        "--input",
        "i",
        "--weights",
        "w"
      },
      {"--out OUT is required", "distill", "--input", "i"},
      {"option --ipc needs a value (N)", "distill", "--input", "i", "--out", "o", "--ipc"},
      {
        "--strength must be between 0.0 and 1.0, got 1.5",
        "decode",
        "--distilled",
        "d",
        "--out",
        "o",
        "--strength",
        "1.5"
      },
      {
        "--decoder must be one of auto, dit, vae; got 'nearest'",
        "decode",
        "--distilled",
        "d",
        "--out",
        "o",
        "--decoder",
        "nearest"
      },
      {"--dit-ema must be between", "train-prior", "--input", "i", "--out", "o", "--dit-ema", "1"},
      {
        "--teacher-epochs must be a whole number or auto",
        "evaluate",
        "--distilled",
        "d",
        "--data",
        "i",
        "--out",
        "o",
        "--teacher-epochs",
        "many"
      },
      {
        "--max-image-pixels must be between 1 and 715,827,882 pixels (default 89,478,485, PIL's"
            + " limit), got 0",
        "distill",
        "--input",
        "i",
        "--out",
        "o",
        "--max-image-pixels",
        "0"
      },
      {
        "--image-size must be CxHxW: C is 1 (grey) or 3 (RGB), H and W are at least 1 pixel (e.g."
            + " 1x28x28 or 3x32x32); got '32'",
        "distill",
        "--input",
        "i",
        "--out",
        "o",
        "--image-size",
        "32"
      },
      {
        "--image-size must be CxHxW",
        "train-prior",
        "--input",
        "i",
        "--out",
        "o",
        "--image-size",
        "2x28x28"
      },
      {"unknown command 'distil' (did you mean distill?)", "distil"},
    };
    for (String[] c : cases) {
      String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
      Printed p = ddoq(args);
      assertEquals(2, p.status(), String.join(" ", args) + ": " + p.err());
      assertTrue(p.err().contains("error: " + c[0]), p.err());
      assertEquals(1, p.err().lines().count(), "one line: " + p.err());
    }
  }

  @Test
  void choicesTakeAnyCase() {
    // Parsed, checked, then refused for the range: the enum in upper case was accepted.
    Printed p =
        ddoq("distill", "--input", "i", "--out", "o", "--weights", "SQRT", "--strength", "2");
    assertTrue(p.err().contains("--strength must be between"), p.err());
  }
}
