package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.ddoq.jobs.CliTestBase.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ImageFolder path end to end on real colour JPEGs: a slice of the CIFAR-10 archive (3 classes,
 * 100 training and 20 test images each, plus one corrupt file) through train-prior, distill and
 * evaluate. Runs when the archive is at {@code ../shared/data/cifar10_jpg.tar.gz} beside the
 * repository (or {@code -Dddoq.cifarArchive=PATH}); otherwise it is reported as skipped, saying
 * where it looked.
 */
class CifarSliceEndToEndTest {
  private static final List<String> CLASSES = List.of("airplane", "automobile", "bird");
  private static SparkSession spark;
  private static Path root;
  private static Path slice;
  private static String skipReason;

  @BeforeAll
  static void extractSlice() throws Exception {
    Path archive = archive();
    if (!Files.isRegularFile(archive)) {
      // Reported by the test itself (surefire counts it as skipped, with this reason).
      skipReason =
          "SKIPPED: no CIFAR-10 archive at "
              + archive
              + " (../shared/data/cifar10_jpg.tar.gz beside the repository, or -Dddoq.cifarArchive=PATH)";
      System.err.println("[cifar] " + skipReason);
      return;
    }
    root = Files.createTempDirectory("ddoq-cifar-slice");
    slice = root.resolve("cifar");
    Files.createDirectories(slice);
    List<String> command =
        new ArrayList<>(
            List.of("tar", "-xzf", archive.toString(), "-C", slice.toString(), "--wildcards"));
    for (String c : CLASSES) {
      command.add("train/" + c + "/00[0-9][0-9].jpg");
      command.add("test/" + c + "/00[01][0-9].jpg");
    }
    Process tar = new ProcessBuilder(command).inheritIO().start();
    assertTrue(tar.waitFor(120, TimeUnit.SECONDS) && tar.exitValue() == 0, "tar " + command);
    // A truncated JPEG, as a broken download leaves one: skipped and reported, not fatal.
    Path good = slice.resolve("train/bird/0000.jpg");
    byte[] bytes = Files.readAllBytes(good);
    Files.write(slice.resolve("train/bird/broken.jpg"), java.util.Arrays.copyOf(bytes, 40));
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("ddoq-cifar-slice")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
  }

  @AfterAll
  static void tearDown() {
    if (spark != null) {
      spark.stop();
    }
  }

  /**
   * ../shared/data/cifar10_jpg.tar.gz next to the repository (tests run in the module directory).
   */
  static Path archive() {
    String given = System.getProperty("ddoq.cifarArchive", "");
    if (!given.isEmpty()) {
      return Path.of(given);
    }
    Path repository = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    return repository.getParent().resolve("shared/data/cifar10_jpg.tar.gz");
  }

  @Test
  void trainPriorDistillAndEvaluateOnColourJpegs() throws IOException {
    assumeTrue(skipReason == null, skipReason);
    ObjectMapper json = new ObjectMapper();
    Path prior = root.resolve("prior");
    Run r =
        CliTestBase.ddoq(
            "train-prior",
            "--input",
            slice.toString(),
            "--out",
            prior.toString(),
            "--prior-epochs",
            "2",
            "--dit-epochs",
            "1");
    assertEquals(0, r.status(), r.err());
    JsonNode spec = json.readTree(prior.resolve("prior.json").toFile());
    assertEquals(3, spec.path("imageShape").path("channels").asInt(), spec.toString());
    assertEquals(32, spec.path("imageShape").path("height").asInt());
    assertEquals(
        8, spec.path("latentShape").path("height").asInt(), "32x32 colour images -> 4x8x8 latents");
    assertEquals(CLASSES, json.convertValue(spec.path("classNames"), List.class));
    double mse = spec.path("reconstructionMse").asDouble(Double.NaN);
    assertTrue(mse > 0 && mse < 0.1, "reconstruction error on the 60 test images: " + mse);

    Path out = root.resolve("distilled");
    r =
        CliTestBase.ddoq(
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            prior.toString(),
            "--ipc",
            "2",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(
        Files.exists(out.resolve("_SUCCESS")) && Files.exists(out.resolve("contact_sheet.png")));
    JsonNode summary = json.readTree(out.resolve("summary.json").toFile());
    assertEquals(
        300, summary.path("dataset").path("images").asInt(), summary.path("dataset").toString());
    assertEquals(1, summary.path("dataset").path("skipped_count").asInt());
    assertTrue(
        summary.path("dataset").path("skipped").toString().contains("broken.jpg"),
        summary.toString());
    List<String> manifest = Files.readAllLines(out.resolve("manifest.csv"));
    assertEquals(1 + 6, manifest.size(), "header + 3 classes x 2 images: " + manifest);
    try (var images = Files.walk(out.resolve("images"))) {
      List<Path> pngs = images.filter(p -> p.toString().endsWith(".png")).sorted().toList();
      assertEquals(6, pngs.size(), pngs.toString());
      assertTrue(pngs.get(0).toString().contains("images/airplane/"), pngs.toString());
      BufferedImage first = ImageIO.read(pngs.get(0).toFile());
      assertEquals(32, first.getWidth());
      assertEquals(
          3, first.getColorModel().getNumColorComponents(), "the synthetic images are in colour");
    }

    Path eval = root.resolve("eval");
    r =
        CliTestBase.ddoq(
            "evaluate",
            "--distilled",
            "cifar=" + out,
            "--data",
            slice.toString(),
            "--out",
            eval.toString(),
            "--labels",
            "teacher",
            "--seeds",
            "1",
            "--epochs",
            "3",
            "--width",
            "16",
            "--teacher-epochs",
            "1",
            "--cache-dir",
            root.resolve("cache").toString());
    assertEquals(0, r.status(), r.err());
    JsonNode results = json.readTree(new File(eval.toFile(), "results.json"));
    assertEquals(5, results.path("methods").size(), results.toString());
    for (JsonNode m : results.path("methods")) {
      double accuracy = m.path("mean").asDouble(Double.NaN);
      assertTrue(accuracy >= 0 && accuracy <= 1, m.toString());
    }
    assertEquals(3, results.path("teacher_recognition").get(0).path("per_class").size());
  }
}
