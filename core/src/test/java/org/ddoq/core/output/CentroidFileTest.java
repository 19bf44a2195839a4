package org.ddoq.core.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.ddoq.core.data.InputException;
import org.ddoq.core.quantize.Centroid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * centroids.npy through {@link CentroidFile} and {@link Npy}: round trip, NumPy's bytes, refusals.
 */
class CentroidFileTest {
  private static final float[][] MATRIX = {{1.5f, -2.0f, 3.25f}, {0.1f, 1e-3f, 7.0f}};

  /** {@code np.save} of MATRIX as dtype '<f4' (captured from NumPy): the header ddoq writes too. */
  private static final byte[] NUMPY_SAVED =
      concat(
          ("\u0093NUMPY\u0001\u0000v\u0000{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
                  + " ".repeat(58)
                  + "\n")
              .getBytes(StandardCharsets.ISO_8859_1),
          HexFormat.of().parseHex("0000c03f000000c000005040cdcccc3d6f12833a0000e040"));

  @Test
  void centroidsRoundTripInManifestOrder(@TempDir Path dir) throws Exception {
    List<Centroid> centroids =
        List.of(
            new Centroid(1, "b", 0, new double[] {0.5, 0.25}, 4, 1.0),
            new Centroid(0, "a", 1, new double[] {-1.0, 1e-7}, 2, 0.5),
            new Centroid(0, "a", 0, new double[] {Math.PI, -0.0}, 2, 0.5));
    FileSystem fs = FileSystem.getLocal(new Configuration());
    CentroidFile.write(fs, dir.toString(), centroids);
    float[][] read = CentroidFile.read(fs, dir.toString());
    assertArrayEquals(
        new float[][] {{(float) Math.PI, -0.0f}, {-1.0f, 1e-7f}, {0.5f, 0.25f}}, read);
    assertEquals(
        0,
        (Files.size(dir.resolve(CentroidFile.NAME)) - 3 * 2 * Float.BYTES) % 64,
        "the header pads the data to a 64-byte boundary");
  }

  @Test
  void readsWhatNumPyWritesAndWritesTheSameBytes() throws Exception {
    assertArrayEquals(MATRIX, Npy.read(new ByteArrayInputStream(NUMPY_SAVED), "x.npy"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    Npy.writeHeader(out, MATRIX.length, MATRIX[0].length);
    for (float[] row : MATRIX) {
      Npy.writeRow(out, CentroidFile.widen(row));
    }
    out.flush();
    assertArrayEquals(NUMPY_SAVED, bytes.toByteArray());
  }

  @Test
  void otherHeaderSpellingsNumPyUsesAlsoRead() throws Exception {
    for (String dict :
        List.of(
            "{\"descr\":\"<f4\",\"shape\":(2,3),\"fortran_order\":False}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }")) {
      assertArrayEquals(
          MATRIX, Npy.read(new ByteArrayInputStream(npy(1, dict, data())), "x.npy"), dict);
    }
    byte[] v2 = npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data());
    assertArrayEquals(MATRIX, Npy.read(new ByteArrayInputStream(v2), "x.npy"));
  }

  @Test
  void anythingElseIsRefusedNamingTheFile() {
    String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    assertRefused(npy(1, ok.replace("<f4", "<f8"), data()), "dtype <f8");
    assertRefused(npy(1, ok.replace("<f4", ">f4"), data()), "dtype >f4");
    assertRefused(npy(1, ok.replace("False", "True"), data()), "fortran_order true");
    assertRefused(npy(1, ok.replace("(2, 3)", "(6,)"), data()), "shape [6]");
    assertRefused(npy(1, ok.replace("'shape': (2, 3), ", ""), data()), "shape null");
    assertRefused(npy(1, "{'descr': '<f4'", data()), "unreadable .npy header");
    assertRefused(npy(1, ok, java.util.Arrays.copyOf(data(), 20)), "truncated");
    assertRefused(npy(1, ok, java.util.Arrays.copyOf(data(), 28)), "more bytes than its shape");
    assertRefused(
        "PK\u0003\u0004 not numpy at all".getBytes(StandardCharsets.ISO_8859_1), "not a .npy file");
    assertRefused(npy(4, ok, data()), "version 4.0");
  }

  private static void assertRefused(byte[] file, String why) {
    InputException e =
        assertThrows(
            InputException.class,
            () -> Npy.read(new ByteArrayInputStream(file), "OUT/centroids.npy"));
    assertTrue(e.getMessage().startsWith("OUT/centroids.npy "), e.getMessage());
    assertTrue(
        e.getMessage().toLowerCase().contains(why.toLowerCase()), why + " in: " + e.getMessage());
  }

  private static byte[] data() {
    return java.util.Arrays.copyOfRange(NUMPY_SAVED, 128, NUMPY_SAVED.length);
  }

  /** A .npy of the given major version and header dict (unpadded), followed by {@code data}. */
  private static byte[] npy(int major, String dict, byte[] data) {
    byte[] header = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    out.write(header.length & 0xff);
    out.write(header.length >> 8 & 0xff);
    if (major >= 2) {
      out.write(0);
      out.write(0);
    }
    out.writeBytes(header);
    out.writeBytes(data);
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
