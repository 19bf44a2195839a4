package org.ddoq.jobs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.TestSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Runs {@code ddoq} commands in-process on one shared local Spark session (the CLI reuses a running
 * session and leaves it running), with a small real Fashion-MNIST slice and one prior trained on
 * it.
 */
abstract class CliTestBase {
  protected static SparkSession spark;
  protected static Path root;
  protected static Path slice;
  protected static Path prior;

  /** Exit status and what the command printed to stderr. */
  record Run(int status, String err) {}

  @BeforeAll
  static void setUp() throws IOException {
    spark = TestSpark.start("ddoq-cli-test");
    root = Files.createTempDirectory("ddoq-cli-test");
    slice = FashionSlice.write(root, 1200, 200);
    prior = root.resolve("prior");
    Run r =
        ddoq(
            "train-prior",
            "--input",
            slice.toString(),
            "--out",
            prior.toString(),
            "--prior-epochs",
            "2",
            "--prior-max-images",
            "1200",
            "--dit",
            "none");
    if (r.status() != 0) {
      throw new IllegalStateException("training the test prior failed: " + r.err());
    }
  }

  @AfterAll
  static void tearDown() {
    TestSpark.stop();
  }

  static Run ddoq(String... args) {
    PrintStream old = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = Ddoq.run(args);
    } finally {
      System.setErr(old);
    }
    String err = captured.toString(StandardCharsets.UTF_8);
    old.print(err);
    return new Run(status, err);
  }
}
