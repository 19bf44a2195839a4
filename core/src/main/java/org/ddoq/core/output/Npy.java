package org.ddoq.core.output;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * NumPy's .npy format (version 1.0) for a float32 matrix: Python tools read latents without Parquet
 * (Debian has no pyarrow). Rows are streamed, so the caller need not hold the matrix.
 */
public final class Npy {
  private Npy() {}

  /** Writes the header of a C-order little-endian float32 array of shape (rows, cols). */
  public static void writeHeader(OutputStream out, long rows, int cols) throws IOException {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
    // Magic (6) + version (2) + header length (2) + dict + padding + '\n' must be a multiple of 64.
    int total = 10 + dict.length() + 1;
    int padding = (64 - total % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";
    out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    int length = header.length();
    out.write(length & 0xff);
    out.write((length >> 8) & 0xff);
    out.write(header.getBytes(StandardCharsets.US_ASCII));
  }

  /** Writes one row of values as little-endian float32. */
  public static void writeRow(DataOutputStream out, double[] values) throws IOException {
    for (double v : values) {
      out.writeInt(Integer.reverseBytes(Float.floatToIntBits((float) v)));
    }
  }
}
