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
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Each bad input gets a message naming the file or parameter and what to do, and the output is
 * either complete (with skips listed in summary.json) or never started.
 */
class BadInputTest extends CliTestBase {

  @Test
  void missingInputPathStopsBeforeWriting() {
    Path out = root.resolve("bad-missing");
    Run r =
        ddoq(
            "distill",
            "--input",
            root.resolve("no-such-dir").toString(),
            "--prior",
            prior.toString(),
            "--out",
            out.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("no-such-dir") && r.err().contains("does not exist"), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void ipcZeroIsRefusedNamingTheOption() {
    Path out = root.resolve("bad-ipc");
    Run r = ddoq("distill", "--input", slice.toString(), "--ipc", "0", "--out", out.toString());
    assertEquals(2, r.status());
    assertTrue(
        r.err().contains("ddoq distill: error: --ipc must be >= 1"),
        "said once, with what is wrong: " + r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void unknownOptionListsTheAcceptedOnes() {
    Run r =
        ddoq(
            "distill",
            "--input",
            slice.toString(),
            "--ipcs",
            "3",
            "--out",
            root.resolve("x").toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("unknown option --ipcs") && r.err().contains("--ipc N"), r.err());
  }

  @Test
  void existingOutputIsNeverTouched() throws IOException {
    Path out = root.resolve("bad-existing");
    Files.createDirectories(out);
    Files.writeString(out.resolve("keep.txt"), "precious");
    Run r =
        ddoq(
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            prior.toString(),
            "--out",
            out.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("already exists") && r.err().contains("--overwrite"), r.err());
    assertEquals("precious", Files.readString(out.resolve("keep.txt")));
    assertFalse(Files.exists(out.resolve("_SUCCESS")));
  }

  @Test
  void corruptZeroByteAndNonImageFilesAreSkippedAndListed() throws IOException {
    Path folder = imageFolder("skips", new int[] {6, 6, 6});
    Path cls = folder.resolve("class_a");
    byte[] png = Files.readAllBytes(cls.resolve("img_0.png"));
    byte[] corrupt = java.util.Arrays.copyOf(png, png.length);
    for (int i = 40; i < corrupt.length; i++) {
      corrupt[i] = (byte) (i * 31);
    }
    Files.write(cls.resolve("corrupt.png"), corrupt);
    Files.write(cls.resolve("empty.png"), new byte[0]);
    Files.writeString(cls.resolve("notes.txt"), "not an image");
    Path out = root.resolve("out-skips");
    Run r =
        ddoq(
            "distill",
            "--input",
            folder.toString(),
            "--prior",
            prior.toString(),
            "--ipc",
            "2",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals(18, summary.at("/dataset/images").asLong());
    String skipped = summary.at("/dataset/skipped").toString();
    assertEquals(3, summary.at("/dataset/skipped_count").asInt(), skipped);
    assertTrue(
        skipped.contains("corrupt.png")
            && skipped.contains("empty.png")
            && skipped.contains("notes.txt"),
        skipped);
  }

  @Test
  void emptyClassFolderStopsBeforeWriting() throws IOException {
    Path folder = imageFolder("empty-class", new int[] {4, 4});
    Files.createDirectories(folder.resolve("class_z"));
    Path out = root.resolve("out-empty-class");
    Run r =
        ddoq(
            "distill",
            "--input",
            folder.toString(),
            "--prior",
            prior.toString(),
            "--ipc",
            "2",
            "--out",
            out.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().contains("class_z"), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void classWithFewerImagesThanIpcKeepsEachImageAndSaysSo() throws IOException {
    Path folder = imageFolder("tiny-class", new int[] {8, 2});
    Path out = root.resolve("out-tiny-class");
    Run r =
        ddoq(
            "distill",
            "--input",
            folder.toString(),
            "--prior",
            prior.toString(),
            "--ipc",
            "3",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.err());
    List<String> manifest = Files.readAllLines(out.resolve("manifest.csv"));
    assertEquals(1 + 3 + 2, manifest.size());
    JsonNode tiny =
        new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("classes").get(1);
    assertEquals(2, tiny.get("centroids").asInt());
    assertTrue(tiny.get("note").asText().contains("each image is its own centroid"));
    manifest.stream()
        .filter(l -> l.contains("class_b"))
        .forEach(l -> assertTrue(l.endsWith(",1,0.5"), l));
  }

  /**
   * An ImageFolder of 28x28 grey PNGs, class_a, class_b, ... with the given number of images each.
   */
  private static Path imageFolder(String name, int[] perClass) throws IOException {
    Path dir = root.resolve(name);
    Random random = new Random(name.hashCode());
    for (int c = 0; c < perClass.length; c++) {
      Path cls = dir.resolve("class_" + (char) ('a' + c));
      Files.createDirectories(cls);
      for (int i = 0; i < perClass[c]; i++) {
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
