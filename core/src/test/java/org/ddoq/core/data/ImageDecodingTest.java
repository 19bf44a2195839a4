package org.ddoq.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image files in the colour models users bring (CMYK, 16-bit, alpha, palette, 1-bit), each written
 * to disk and read back as the readers read them: converted to grey or RGB, alpha dropped.
 */
class ImageDecodingTest {
  private static final ImageShape RGB = new ImageShape(3, 8, 8);

  /**
   * An 8x8 red CMYK JPEG (C 0, M 255, Y 255, K 0) as PIL 9.4 writes it, with its Adobe marker:
   * {@code Image.new("CMYK", (8, 8), (0, 255, 255, 0)).save("cmyk.jpg", quality=95)}.
   */
  private static final String CMYK_JPEG =
      "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwACAQEBAQECAQEBAgICAgIEAwICAgIFBAQDBAYFBgYGBQYGBgcJCAYHCQcG"
          + "BggLCAkKCgoKCgYICwwLCgwJCgoK/8AAFAgACAAIBEMRAE0RAFkRAEsRAP/EAB8AAAEFAQEBAQEBAAAAAAAA"
          + "AAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEV"
          + "UtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SF"
          + "hoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz"
          + "9PX29/j5+v/aAA4EQwBNAFkASwAAPwD9/K/n/r+f+v38r//Z";

  @Test
  void aCmykJpegBecomesRgb(@TempDir Path dir) throws IOException {
    byte[] rgb = decode(dir, "red.jpg", Base64.getDecoder().decode(CMYK_JPEG));
    assertPlanes(rgb, 255, 0, 0, 3);
  }

  @Test
  void aSixteenBitGreyPngKeepsItsLevelScaledToEightBits(@TempDir Path dir) throws IOException {
    BufferedImage grey16 = new BufferedImage(8, 8, BufferedImage.TYPE_USHORT_GRAY);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        grey16.getRaster().setSample(x, y, 0, 30000);
      }
    }
    // 30000 / 65535 * 255 = 116.7: the grey level, not its low byte, and no gamma shift.
    assertPlanes(decode(dir, "grey16.png", png(grey16)), 117, 117, 117, 0);
  }

  @Test
  void anRgbaPngLosesItsAlphaAsPilsConvertRgbDoes(@TempDir Path dir) throws IOException {
    BufferedImage rgba = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        rgba.setRGB(x, y, 0x80ff0000); // half-transparent red
      }
    }
    assertPlanes(decode(dir, "rgba.png", png(rgba)), 255, 0, 0, 0);
  }

  @Test
  void paletteAndOneBitPngsAreExpandedToTheirColours(@TempDir Path dir) throws IOException {
    BufferedImage indexed = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_INDEXED);
    BufferedImage bits = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_BINARY);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        indexed.setRGB(x, y, 0x0000ff);
        bits.setRGB(x, y, 0xffffff);
      }
    }
    assertPlanes(decode(dir, "palette.png", png(indexed)), 0, 0, 255, 0);
    assertPlanes(decode(dir, "bits.png", png(bits)), 255, 255, 255, 0);
  }

  @Test
  void theBombIsRefusedFromItsHeaderAloneHoweverLittleMemoryIsFree(@TempDir Path dir)
      throws IOException {
    Path file = Files.write(dir.resolve("bomb.png"), BombPng.of(30000, 30000));
    Runtime rt = Runtime.getRuntime();
    long before = rt.totalMemory() - rt.freeMemory();
    ImageDecoding.Result r =
        ImageDecoding.toShape(
            ImageDecoding.readFile(new Configuration(), file.toString()), RGB, ImageLimits.DEFAULT);
    long grown = rt.totalMemory() - rt.freeMemory() - before;
    assertNull(r.pixels());
    assertTrue(r.problem().startsWith("refused before decoding"), r.problem());
    // Decoding would take 900 MB (grey) to 3.6 GB (ARGB); the header check reads the file only.
    assertTrue(grown < 100_000_000, "heap grew by " + grown + " bytes");
  }

  private static byte[] decode(Path dir, String name, byte[] file) throws IOException {
    Path path = Files.write(dir.resolve(name), file);
    ImageDecoding.Result r =
        ImageDecoding.toShape(
            ImageDecoding.readFile(new Configuration(), path.toString()), RGB, ImageLimits.DEFAULT);
    assertNull(r.problem(), name);
    return r.pixels();
  }

  private static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, "png", out));
    return out.toByteArray();
  }

  /** Every pixel of the CHW planes is (r, g, b) within {@code tolerance}. */
  private static void assertPlanes(byte[] chw, int r, int g, int b, int tolerance) {
    int n = chw.length / 3;
    int[] expected = {r, g, b};
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < n; i++) {
        int v = chw[c * n + i] & 0xff;
        assertTrue(
            Math.abs(v - expected[c]) <= tolerance,
            "channel " + c + " pixel " + i + " is " + v + ", expected " + expected[c]);
      }
    }
    assertEquals(3 * 64, chw.length);
  }
}
