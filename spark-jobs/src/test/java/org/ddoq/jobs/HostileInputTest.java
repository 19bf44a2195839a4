package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.ddoq.core.data.BombPng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs a careless or hostile user gives distill (issue 18), each built on disk: what the command
 * prints, its exit status, and what is (or is not) in OUT.
 */
class HostileInputTest extends CliTestBase {

  @Test
  void aSymbolicLinkLoopIsReadOnceAndTheLinkIsNamed(@TempDir Path dir) throws IOException {
    Path input = folder(dir.resolve("in"), List.of("digit_0", "digit_1"), 6);
    Files.createSymbolicLink(input.resolve("digit_0/loop"), Path.of(".."));
    Path out = dir.resolve("out");
    try (LogCapture log = new LogCapture()) {
      assertEquals(0, distill(input, out).status());
      JsonNode summary = summary(out);
      assertEquals(12, summary.at("/dataset/images").asLong(), "each image once");
      assertEquals(6, summary.at("/classes/0/count").asLong());
      assertTrue(summary.at("/dataset/skipped/0/source").asText().endsWith("digit_0/loop"));
      assertTrue(consoleNames(log, "digit_0/loop", "read already"), log.lines().toString());
    }
  }

  @Test
  void aDecompressionBombIsSkippedAndNamedAndNothingElseIsLost(@TempDir Path dir)
      throws IOException {
    Path input = folder(dir.resolve("in"), List.of("a", "b"), 6);
    Files.write(input.resolve("a/bomb.png"), BombPng.of(30000, 30000));
    Path out = dir.resolve("out");
    try (LogCapture log = new LogCapture()) {
      long started = System.nanoTime();
      assertEquals(0, distill(input, out).status());
      assertTrue(System.nanoTime() - started < 300e9, "no minutes spent on the bomb");
      JsonNode summary = summary(out);
      assertEquals(12, summary.at("/dataset/images").asLong());
      assertEquals(1, summary.at("/dataset/skipped_count").asInt());
      assertTrue(summary.at("/dataset/skipped/0/source").asText().endsWith("a/bomb.png"));
      assertTrue(
          summary.at("/dataset/skipped/0/reason").asText().contains("30000 x 30000"),
          summary.toString());
      // Item 8: the console names the file and where the full list is.
      assertTrue(
          consoleNames(
              log,
              "1 input skipped: ",
              "a/bomb.png (refused before decoding",
              out + "/summary.json (dataset.skipped)"),
          log.lines().toString());
    }
  }

  @Test
  void classesNamedInAnyScriptGetAFolderEachUnderTheirOwnNames(@TempDir Path dir)
      throws IOException {
    Path input = folder(dir.resolve("in"), List.of("猫", "犬", "鳥"), 4);
    Path out = dir.resolve("out");
    // An --image-size equal to the prior's is accepted.
    assertEquals(0, distill(input, out, "--image-size", "1x28x28").status());
    try (Stream<Path> folders = Files.list(out.resolve("images"))) {
      assertEquals(
          List.of("犬", "猫", "鳥"),
          folders.map(p -> p.getFileName().toString()).sorted().toList(),
          "three classes for torchvision's ImageFolder, not one '_'");
    }
    List<String> manifest = Files.readAllLines(out.resolve("manifest.csv"));
    assertEquals(1 + 3 * 2, manifest.size());
    for (String line : manifest.subList(1, manifest.size())) {
      String[] cells = line.split(",");
      assertTrue(cells[0].startsWith("images/" + cells[2] + "/"), "the manifest's name: " + line);
      assertTrue(Files.isRegularFile(out.resolve(cells[0])), line);
    }
  }

  @Test
  void dotAndUnderscoreFoldersWithImagesAreClassesAndEmptyOnesAreNamed(@TempDir Path dir)
      throws IOException {
    Path input = folder(dir.resolve("in"), List.of("..digit_2", "_digit_3", "digit_1"), 4);
    Files.createDirectories(input.resolve(".ipynb_checkpoints"));
    Path out = dir.resolve("out");
    try (LogCapture log = new LogCapture()) {
      assertEquals(0, distill(input, out).status());
      JsonNode summary = summary(out);
      assertEquals(12, summary.at("/dataset/images").asLong(), "no image lost");
      assertEquals(3, summary.at("/dataset/classes").asInt());
      assertTrue(Files.isDirectory(out.resolve("images/..digit_2")));
      assertTrue(consoleNames(log, ".ipynb_checkpoints", "no image files"), log.lines().toString());
    }
  }

  @Test
  void anOutInsideOrEqualToTheInputIsRefusedBeforeAnythingIsWritten(@TempDir Path dir)
      throws IOException {
    Path input = folder(dir.resolve("in"), List.of("a", "b"), 2);
    Run inside = distill(input, input.resolve("out"));
    assertEquals(2, inside.status());
    assertTrue(
        inside.err().contains("--out " + input.resolve("out") + " lies inside --input " + input)
            && inside.err().contains("choose an --out outside it"),
        inside.err());
    assertFalse(Files.exists(input.resolve("out")));
    Run same = distill(input, input, "--overwrite");
    assertEquals(2, same.status());
    assertTrue(same.err().contains("is the --input folder itself"), same.err());
    assertTrue(Files.isRegularFile(input.resolve("a/img_0.png")), "--overwrite deleted nothing");
    Run holding = distill(input, dir, "--overwrite");
    assertEquals(2, holding.status());
    assertTrue(holding.err().contains("lies inside --out " + dir), holding.err());
    assertTrue(Files.isRegularFile(input.resolve("a/img_0.png")));
  }

  @Test
  void trainPriorRefusesAnOutInsideItsInputAndNamesSkippedFiles(@TempDir Path dir)
      throws IOException {
    Path input = folder(dir.resolve("in"), List.of("a", "b"), 6);
    Run inside =
        ddoq(
            "train-prior", "--input", input.toString(), "--out", input.resolve("prior").toString());
    assertEquals(2, inside.status());
    assertTrue(inside.err().contains("lies inside --input " + input), inside.err());
    assertFalse(Files.exists(input.resolve("prior")));

    Files.write(input.resolve("a/broken.png"), new byte[] {1, 2, 3});
    try (LogCapture log = new LogCapture()) {
      Run r =
          ddoq(
              "train-prior",
              "--input",
              input.toString(),
              "--out",
              dir.resolve("prior").toString(),
              "--prior-epochs",
              "1",
              "--dit",
              "none");
      assertEquals(0, r.status(), r.err());
      assertTrue(consoleNames(log, "a/broken.png", "1 input skipped"), log.lines().toString());
    }
  }

  @Test
  void anOutThatCannotBeWrittenIsFoundBeforeReading(@TempDir Path dir) throws IOException {
    Path input = folder(dir.resolve("in"), List.of("a", "b"), 2);
    // A file where a folder must be: unwritable even for root, which ignores permissions.
    Path file = Files.writeString(dir.resolve("file.txt"), "not a folder");
    Path out = file.resolve("out");
    try (LogCapture log = new LogCapture()) {
      Run r = distill(input, out);
      assertEquals(2, r.status());
      assertTrue(r.err().contains("cannot write to --out " + out), r.err());
      assertTrue(r.err().contains("choose a folder you can write to"), r.err());
      assertEquals(1, r.err().lines().count(), r.err());
      assertFalse(
          log.lines().stream().anyMatch(l -> l.contains("Read ")), "refused before reading");
    }
    assertEquals("not a folder", Files.readString(file));
  }

  @Test
  void anImageSizeOtherThanThePriorsIsRefused(@TempDir Path dir) throws IOException {
    Path input = folder(dir.resolve("in"), List.of("a", "b"), 2);
    Run r = distill(input, dir.resolve("out"), "--image-size", "1x32x32");
    assertEquals(2, r.status());
    assertTrue(
        r.err().contains("--image-size 1x32x32 differs from the 1x28x28 images of --prior"),
        r.err());
    assertTrue(r.err().contains("drop --image-size"), r.err());
    assertFalse(Files.exists(dir.resolve("out")));
  }

  private static Run distill(Path input, Path out, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "distill",
                "--input",
                input.toString(),
                "--prior",
                prior.toString(),
                "--ipc",
                "2",
                "--out",
                out.toString()));
    args.addAll(List.of(more));
    return ddoq(args.toArray(String[]::new));
  }

  private static JsonNode summary(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
  }

  /** True when one warning holds every part. */
  private static boolean consoleNames(LogCapture log, String... parts) {
    return log.lines().stream()
        .anyMatch(l -> l.startsWith("WARN ") && Stream.of(parts).allMatch(l::contains));
  }

  /** An ImageFolder of 28x28 grey PNGs, {@code perClass} in each named class. */
  private static Path folder(Path dir, List<String> classes, int perClass) throws IOException {
    Random random = new Random(dir.hashCode());
    for (int c = 0; c < classes.size(); c++) {
      Path cls = Files.createDirectories(dir.resolve(classes.get(c)));
      for (int i = 0; i < perClass; i++) {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28; y++) {
          for (int x = 0; x < 28; x++) {
            int v = (x / (c + 3) + y / (c + 3)) % 2 == 0 ? 200 : 30;
            img.getRaster().setSample(x, y, 0, Math.min(255, v + random.nextInt(20)));
          }
        }
        ImageIO.write(img, "png", cls.resolve("img_" + i + ".png").toFile());
      }
    }
    return dir;
  }
}
