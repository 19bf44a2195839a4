package org.ddoq.core.output;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddoq.core.data.InputException;

/**
 * NumPy's .npy format for a float32 matrix, written and read here only: Python tools read latents
 * and centroids without Parquet (Debian has no pyarrow). Rows are streamed when writing, so the
 * caller need not hold the matrix. Only little-endian float32 ({@code '<f4'}) in C order with a 2-D
 * shape is written or read; anything else is refused naming the file.
 *
 * <p>A small codec and not DJL's: DJL reads .npy ({@code NDList.decode}) only into an {@code
 * NDArray}, so through an {@code NDManager}, i.e. with the PyTorch engine and its native library
 * loaded on the driver just to read a float matrix, and it writes its own header layout where ours
 * must keep the bytes the files had (two runs with the same seed are compared byte for byte). The
 * format is small (NEP 1: magic, version, header length, a Python dict literal, data), and the
 * header dict is parsed, not searched.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  /** The only dtype written and read: little-endian float32. */
  public static final String DESCR = "<f4";

  private Npy() {}

  /** The shape of a 2-D float32 .npy. */
  public record Shape(int rows, int cols) {}

  /**
   * Writes the header (version 1.0) of a C-order little-endian float32 array of shape (rows, cols).
   */
  public static void writeHeader(OutputStream out, long rows, int cols) throws IOException {
    String dict =
        "{'descr': '"
            + DESCR
            + "', 'fortran_order': False, 'shape': ("
            + rows
            + ", "
            + cols
            + "), }";
    // Magic (6) + version (2) + header length (2) + dict + padding + '\n' must be a multiple of 64.
    int total = 10 + dict.length() + 1;
    int padding = (64 - total % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";
    out.write(MAGIC);
    out.write(new byte[] {1, 0});
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

  /**
   * Reads a whole 2-D little-endian float32 C-order .npy; {@code file} names it in errors. Refuses
   * another dtype, Fortran order, another number of dimensions, a truncated file and bytes after
   * the data.
   */
  public static float[][] read(InputStream in, String file) throws IOException {
    Shape shape = readHeader(in, file);
    float[][] out = new float[shape.rows()][shape.cols()];
    byte[] bytes = new byte[shape.cols() * Float.BYTES];
    for (int i = 0; i < shape.rows(); i++) {
      if (in.readNBytes(bytes, 0, bytes.length) != bytes.length) {
        throw new InputException(
            file
                + " is truncated: it ends in row "
                + i
                + " of "
                + shape.rows()
                + "; run distill again");
      }
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out[i]);
    }
    if (in.read() != -1) {
      throw new InputException(
          file
              + " holds more bytes than its shape ("
              + shape.rows()
              + ", "
              + shape.cols()
              + ") needs; it is damaged, run distill again");
    }
    return out;
  }

  /**
   * Reads and checks the magic, version and header dict; the stream is left at the first data byte.
   */
  public static Shape readHeader(InputStream in, String file) throws IOException {
    byte[] magic = in.readNBytes(8);
    if (magic.length < 8 || !Arrays.equals(Arrays.copyOf(magic, 6), MAGIC)) {
      throw new InputException(
          file + " is not a .npy file (no \\x93NUMPY magic); run distill again");
    }
    int major = magic[6];
    int lengthBytes = major == 1 ? 2 : major == 2 || major == 3 ? 4 : -1;
    if (lengthBytes < 0) {
      throw new InputException(
          file + " is .npy version " + major + "." + magic[7] + ", which ddoq does not read");
    }
    byte[] len = in.readNBytes(lengthBytes);
    if (len.length < lengthBytes) {
      throw new InputException(file + " is truncated in its .npy header; run distill again");
    }
    long headerLength = 0;
    for (int i = lengthBytes - 1; i >= 0; i--) {
      headerLength = headerLength << 8 | (len[i] & 0xff);
    }
    if (headerLength > 1 << 20) {
      throw new InputException(
          file + " declares a .npy header of " + headerLength + " bytes; it is damaged");
    }
    byte[] headerBytes = in.readNBytes((int) headerLength);
    if (headerBytes.length < headerLength) {
      throw new InputException(file + " is truncated in its .npy header; run distill again");
    }
    String header =
        new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Map<String, Object> dict;
    try {
      dict = new DictParser(header).dict();
    } catch (IllegalArgumentException e) {
      throw new InputException(
          file + " has an unreadable .npy header (" + e.getMessage() + "): " + header.trim());
    }
    Object descr = dict.get("descr");
    if (!DESCR.equals(descr)) {
      throw new InputException(
          file
              + " holds dtype "
              + descr
              + "; ddoq reads only little-endian float32 ('"
              + DESCR
              + "') as distill writes it");
    }
    if (!Boolean.FALSE.equals(dict.get("fortran_order"))) {
      throw new InputException(
          file
              + " has fortran_order "
              + dict.get("fortran_order")
              + "; ddoq reads only C order (fortran_order False)");
    }
    if (!(dict.get("shape") instanceof List<?> dims) || dims.size() != 2) {
      throw new InputException(
          file
              + " has shape "
              + dict.get("shape")
              + "; ddoq reads only a 2-D (rows, cols)"
              + " matrix");
    }
    long rows = (Long) dims.get(0);
    long cols = (Long) dims.get(1);
    if (rows > Integer.MAX_VALUE || cols * Float.BYTES > Integer.MAX_VALUE) {
      throw new InputException(
          file + " has shape (" + rows + ", " + cols + "), too large to read on the driver");
    }
    return new Shape((int) rows, (int) cols);
  }

  /**
   * The header's Python dict literal: string keys; values strings, True/False, integers or tuples
   * of integers (what NumPy writes for descr, fortran_order and shape).
   */
  private static final class DictParser {
    private final String s;
    private int i;

    DictParser(String s) {
      this.s = s;
    }

    Map<String, Object> dict() {
      Map<String, Object> out = new LinkedHashMap<>();
      expect('{');
      while (peek() != '}') {
        String key = string();
        expect(':');
        out.put(key, value());
        if (peek() == ',') {
          i++;
        } else if (peek() != '}') {
          throw new IllegalArgumentException("',' or '}' expected at " + i);
        }
      }
      i++;
      if (peek() != 0) {
        throw new IllegalArgumentException("text after the dict at " + i);
      }
      return out;
    }

    private Object value() {
      char c = peek();
      if (c == '\'' || c == '"') {
        return string();
      }
      if (c == '(') {
        i++;
        List<Long> dims = new ArrayList<>();
        while (peek() != ')') {
          dims.add(integer());
          if (peek() == ',') {
            i++;
          } else if (peek() != ')') {
            throw new IllegalArgumentException("',' or ')' expected at " + i);
          }
        }
        i++;
        return dims;
      }
      if (s.startsWith("True", i)) {
        i += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("False", i)) {
        i += 5;
        return Boolean.FALSE;
      }
      return integer();
    }

    private String string() {
      char quote = peek();
      if (quote != '\'' && quote != '"') {
        throw new IllegalArgumentException("string expected at " + i);
      }
      int end = s.indexOf(quote, ++i);
      if (end < 0) {
        throw new IllegalArgumentException("unterminated string at " + i);
      }
      String out = s.substring(i, end);
      i = end + 1;
      return out;
    }

    private long integer() {
      peek();
      int start = i;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      if (start == i) {
        throw new IllegalArgumentException("integer expected at " + i);
      }
      long value = Long.parseLong(s.substring(start, i));
      if (i < s.length() && (s.charAt(i) == 'L' || s.charAt(i) == 'l')) { // Python 2 longs
        i++;
      }
      return value;
    }

    private void expect(char c) {
      if (peek() != c) {
        throw new IllegalArgumentException("'" + c + "' expected at " + i);
      }
      i++;
    }

    /** The next non-blank character (0 at the end), skipping blanks. */
    private char peek() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      return i < s.length() ? s.charAt(i) : 0;
    }
  }
}
