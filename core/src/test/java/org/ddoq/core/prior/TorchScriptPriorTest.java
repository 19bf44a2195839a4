package org.ddoq.core.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.InputException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An imported ({@value PriorSpec#TYPE_TORCHSCRIPT}) prior: the export script's {@code --tiny}
 * files, loaded through {@link PriorModels} with DJL's PyTorch engine, agree with PyTorch itself.
 */
class TorchScriptPriorTest {
  @TempDir static Path tmp;
  static Path prior;
  static PriorSpec spec;

  @BeforeAll
  static void exportTinyPrior() {
    prior = TorchScriptPython.exportTiny(tmp.resolve("tiny"));
    spec = PriorSpec.read(prior);
  }

  @AfterAll
  static void freeModels() {
    PriorModels.closeAll();
  }

  @Test
  void tinyExportDescribesAnSdStylePriorWithADit() {
    assertEquals(PriorSpec.TYPE_TORCHSCRIPT, spec.type());
    assertEquals(new ImageShape(1, 28, 28), spec.imageShape());
    assertEquals(new LatentShape(4, 7, 7), spec.latentShape());
    assertEquals(0.18215, spec.scaleFactor());
    assertEquals(new PriorSpec.PixelNormalization(0.5, 0.5), spec.pixelNormalization());
    assertEquals(10, spec.classNames().size());
    assertEquals(DiffusionSpec.dit(10, true), spec.diffusion());
    assertEquals(null, spec.training());
    assertTrue(Double.isNaN(spec.reconstructionMse()));
  }

  @Test
  void encodeDecodeDenoiseHaveThePriorsShapesAndRepeatExactly() {
    byte[][] images = images(new Random(1), 5);
    try (PriorSession s = PriorModels.open(prior.toString(), Device.cpu())) {
      float[][] latents = s.encode(images);
      assertEquals(5, latents.length);
      assertEquals(spec.latentSize(), latents[0].length);
      assertFinite(latents);
      assertArrayEquals(latents, s.encode(images));
      byte[][] decoded = s.decode(latents);
      assertEquals(5, decoded.length);
      assertEquals(spec.imageShape().size(), decoded[0].length);
      assertArrayEquals(decoded, s.decode(latents));
      float[][] eps =
          s.denoise(latents, new int[] {0, 1, 250, 500, 999}, new int[] {0, 3, 9, 10, 10});
      assertEquals(spec.latentSize(), eps[0].length);
      assertFinite(eps);
      assertArrayEquals(
          eps, s.denoise(latents, new int[] {0, 1, 250, 500, 999}, new int[] {0, 3, 9, 10, 10}));
      assertEquals(0, s.encode(new byte[0][]).length);
    }
  }

  @Test
  void javaAndPyTorchAgreeOnTheSameFilesAndInputs() throws IOException {
    Random rnd = new Random(2);
    int n = 6;
    byte[][] images = images(rnd, n);
    float[][] latents = gaussian(rnd, n, spec.latentSize(), 1);
    float[][] xt = gaussian(rnd, n, spec.latentSize(), 1);
    int[] t = {0, 17, 300, 640, 998, 999};
    int[] y = {0, 1, 5, 9, 10, 10};
    Path input = tmp.resolve("reference-input.txt");
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(input))) {
      out.println("encode " + n);
      for (byte[] image : images) {
        for (byte b : image) {
          out.print((b & 0xff) + " ");
        }
        out.println();
      }
      out.println("decode " + n);
      print(out, latents);
      out.println("denoise " + n);
      print(out, xt);
      for (int v : t) {
        out.print(v + " ");
      }
      for (int v : y) {
        out.print(v + " ");
      }
      out.println();
    }
    Path script =
        Path.of(System.getProperty("basedir", "."))
            .resolve("src/test/resources/org/ddoq/core/prior/torchscript_reference.py");
    float[][] python =
        TorchScriptPython.floats(
            TorchScriptPython.run(List.of(script.toString(), prior.toString(), input.toString())));
    assertEquals(3 * n, python.length);
    try (PriorSession s = PriorModels.open(prior.toString(), Device.cpu())) {
      float[][] encoded = s.encode(images);
      byte[][] decoded = s.decode(latents);
      float[][] eps = s.denoise(xt, t, y);
      for (int i = 0; i < n; i++) {
        assertClose(python[i], encoded[i], 1e-5, "encode, image " + i);
        assertClose(python[2 * n + i], eps[i], 1e-5, "denoise, item " + i);
        for (int p = 0; p < decoded[i].length; p++) {
          // Python prints the pixel before rounding: Java's byte is that value rounded and clamped
          double expected = Math.max(0, Math.min(255, python[n + i][p]));
          assertEquals(
              expected, decoded[i][p] & 0xff, 0.5 + 1e-3, "decode, latent " + i + " pixel " + p);
        }
      }
    }
  }

  @Test
  void aThousandPredictionsDoNotGrowNativeMemory() {
    Random rnd = new Random(3);
    byte[][] images = images(rnd, 32);
    int[] t = new int[32];
    int[] y = new int[32];
    try (PriorSession s = PriorModels.open(prior.toString(), Device.cpu())) {
      // warm up: glibc's per-thread arenas and the JIT's profiling runs settle after ~1000
      // predictions
      for (int i = 0; i < 200; i++) {
        s.decode(s.denoise(s.encode(images), t, y));
      }
    }
    long before = residentMbAfterGc();
    int predictions = 0;
    for (int session = 0; session < 10; session++) {
      // sessions opened and closed as Spark tasks do; each call's arrays must be freed when it
      // returns
      try (PriorSession s = PriorModels.open(prior.toString(), Device.cpu())) {
        for (int i = 0; i < 34; i++) {
          s.decode(s.denoise(s.encode(images), t, y));
          predictions += 3;
        }
      }
    }
    long grown = residentMbAfterGc() - before;
    System.out.println(
        "resident memory after warm-up: "
            + before
            + " MB, grew by "
            + grown
            + " MB over "
            + predictions
            + " predictions");
    // leaking each call's arrays would keep 340 x 32 x 2744 floats (120 MB); after warm-up RSS
    // moves by ~20 MB
    assertTrue(
        grown < 64,
        "resident memory grew by " + grown + " MB over " + predictions + " predictions");
  }

  @Test
  void denoiseRejectsTimestepsAndLabelsOutsideTheSchedule() {
    float[][] x = new float[1][spec.latentSize()];
    try (PriorSession s = PriorModels.open(prior.toString(), Device.cpu())) {
      assertThrows(
          IllegalArgumentException.class, () -> s.denoise(x, new int[] {1000}, new int[] {0}));
      assertThrows(
          IllegalArgumentException.class, () -> s.denoise(x, new int[] {0}, new int[] {11}));
      assertThrows(
          IllegalArgumentException.class, () -> s.denoise(x, new int[] {0, 1}, new int[] {0}));
    }
  }

  @Test
  void aColourPriorAt32PixelsHasFourByFourLatents() {
    Path colour =
        TorchScriptPython.exportTiny(
            tmp.resolve("colour"), "--image-shape", "3,32,32", "--classes", "5");
    try (PriorSession s = PriorModels.open(colour.toString(), Device.cpu())) {
      assertEquals(new LatentShape(4, 4, 4), s.spec().latentShape());
      float[][] z = s.encode(images(new Random(4), 2, 3 * 32 * 32));
      assertEquals(64, z[0].length);
      assertEquals(3 * 32 * 32, s.decode(z)[1].length);
      assertEquals(64, s.denoise(z, new int[] {5, 6}, new int[] {4, 5})[0].length);
    }
  }

  @Test
  void aMissingModuleFileIsNamedInTheError() throws IOException {
    Path broken = tmp.resolve("broken");
    Files.createDirectories(broken);
    Files.copy(prior.resolve(PriorSpec.FILE_NAME), broken.resolve(PriorSpec.FILE_NAME));
    Files.copy(prior.resolve("encoder.pt"), broken.resolve("encoder.pt"));
    InputException e =
        assertThrows(InputException.class, () -> PriorModels.open(broken.toString(), Device.cpu()));
    assertTrue(
        e.getMessage().contains("decoder.pt") && e.getMessage().contains("ddoq_export_prior.py"),
        e.getMessage());
  }

  private static byte[][] images(Random rnd, int n) {
    return images(rnd, n, spec.imageShape().size());
  }

  private static byte[][] images(Random rnd, int n, int size) {
    byte[][] images = new byte[n][size];
    for (byte[] image : images) {
      rnd.nextBytes(image);
    }
    return images;
  }

  static float[][] gaussian(Random rnd, int n, int size, double std) {
    float[][] rows = new float[n][size];
    for (float[] row : rows) {
      for (int j = 0; j < size; j++) {
        row[j] = (float) (rnd.nextGaussian() * std);
      }
    }
    return rows;
  }

  private static void print(PrintWriter out, float[][] rows) {
    for (float[] row : rows) {
      for (float v : row) {
        out.print(v + " "); // Float.toString round-trips exactly through Python's float -> float32
      }
      out.println();
    }
  }

  private static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int j = 0; j < expected.length; j++) {
      assertEquals(expected[j], actual[j], tolerance, what + ", value " + j);
    }
  }

  private static void assertFinite(float[][] rows) {
    for (float[] row : rows) {
      for (float v : row) {
        assertTrue(Float.isFinite(v), "non-finite output " + v);
      }
    }
  }

  /**
   * Resident set size after a full GC, which also returns the Java heap's free pages (G1), so what
   * is left to grow is native memory.
   */
  private static long residentMbAfterGc() {
    System.gc();
    try {
      Thread.sleep(200);
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
              .filter(l -> l.startsWith("VmRSS:"))
              .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
              .findFirst()
              .orElseThrow()
          / 1024;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (IOException e) {
      throw new AssertionError("cannot read /proc/self/status", e);
    }
  }
}
