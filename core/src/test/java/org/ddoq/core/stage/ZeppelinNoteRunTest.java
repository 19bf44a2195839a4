package org.ddoq.core.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.pipeline.DistillSummary;
import org.ddoq.core.prior.TestIdx;
import org.junit.jupiter.api.Test;

/**
 * The Zeppelin note, run: its {@code %spark} paragraphs, compiled as {@link ZeppelinNoteTest}
 * compiles them, run in order on a 600-image Fashion-MNIST slice with the prior box left empty, so
 * the note's one call to the core API distills the slice with a prior it trains (1 VAE epoch) and
 * caches; then the stages the note opens run on that prior. Nothing of the CLI is on this module's
 * classpath.
 */
class ZeppelinNoteRunTest extends SparkTestBase {

  @Test
  void theNoteDistillsASliceTrainingItsPriorThenRunsTheStages() throws Exception {
    ZeppelinNoteTest.readNote();
    Path root = Files.createTempDirectory("ddoq-zeppelin-run");
    Path slice = TestIdx.writeSlice(root, 600, 100);
    Path out = root.resolve("distilled");
    Map<String, String> boxes =
        Map.of(
            "input",
            slice.toString(),
            "prior",
            "",
            "images per class",
            "5",
            "sample fraction",
            "0.5",
            "distilled set",
            out.toString(),
            "prior cache",
            root.resolve("cache").toString(),
            "prior epochs",
            "1",
            "prior training images",
            "600",
            "save fitted pipeline to",
            root.resolve("pipeline").toString());
    boxes.forEach((name, value) -> System.setProperty("zeppelin.textbox." + name, value));
    Object note;
    try {
      String errors = ZeppelinNoteTest.compile(ZeppelinNoteTest.sparkParagraphs(), "run");
      assertEquals("", errors);
      note = runNote(ZeppelinNoteTest.work.resolve("run").resolve("classes"), spark);
    } finally {
      boxes.keySet().forEach(name -> System.clearProperty("zeppelin.textbox." + name));
    }

    DistillSummary summary = (DistillSummary) note.getClass().getMethod("summary").invoke(note);
    assertTrue(summary.priorTrained(), "no prior was given: the distill trains one");
    assertTrue(summary.prior().startsWith(root.resolve("cache").toString()), summary.prior());
    assertEquals(600, summary.images());
    assertEquals(50, summary.distilledImages());
    assertEquals("nearest", summary.decoder(), "the default decoder");
    assertTrue(Files.exists(out.resolve("_SUCCESS")) && Files.exists(out.resolve("centroids.npy")));
    assertEquals(51, Files.readAllLines(out.resolve("manifest.csv")).size());
    assertTrue(
        Files.exists(root.resolve("pipeline").resolve("metadata")),
        "the fitted pipeline was saved");
  }

  /** Instantiates the compiled note: its constructor is the paragraphs, run in order. */
  private static Object runNote(Path classes, SparkSession spark) throws Exception {
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, ZeppelinNoteRunTest.class.getClassLoader())) {
      Thread.currentThread().setContextClassLoader(loader);
      Class<?> z = loader.loadClass("zeppelin_note.ZeppelinContextStandIn");
      Class<?> note = loader.loadClass("zeppelin_note.Note");
      return note.getConstructor(SparkSession.class, z)
          .newInstance(spark, z.getConstructor().newInstance());
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }
}
