package org.ddoq.core.prior;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Test-only reader of the real Fashion-MNIST IDX gz files (the product's reader lives in data/).
 */
public final class TestIdx {
  public static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

  private TestIdx() {}

  /** The first {@code limit} images of an idx3 gz file, each 28x28 unsigned bytes. */
  public static byte[][] images(String file, int limit) throws IOException {
    try (InputStream raw = Files.newInputStream(DIR.resolve(file));
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
      if (in.readInt() != 0x00000803) {
        throw new IOException(file + " is not an idx3 image file");
      }
      int n = Math.min(limit, in.readInt());
      int size = in.readInt() * in.readInt();
      byte[][] images = new byte[n][size];
      for (byte[] image : images) {
        in.readFully(image);
      }
      return images;
    }
  }

  /** The first {@code limit} labels of an idx1 gz file. */
  public static int[] labels(String file, int limit) throws IOException {
    try (InputStream raw = Files.newInputStream(DIR.resolve(file));
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw, 1 << 16))) {
      if (in.readInt() != 0x00000801) {
        throw new IOException(file + " is not an idx1 label file");
      }
      int[] labels = new int[Math.min(limit, in.readInt())];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = in.readUnsignedByte();
      }
      return labels;
    }
  }

  /**
   * Writes the first {@code train} training and {@code test} test images (and labels) as a small
   * IDX directory {@code dir/fashion-mnist-slice} that the product's readers take like the whole
   * data set.
   */
  public static Path writeSlice(Path dir, int train, int test) throws IOException {
    Path out = Files.createDirectories(dir.resolve("fashion-mnist-slice"));
    for (String split : new String[] {"train", "t10k"}) {
      int n = split.equals("train") ? train : test;
      byte[][] images = images(split + "-images-idx3-ubyte.gz", n);
      int[] labels = labels(split + "-labels-idx1-ubyte.gz", n);
      try (DataOutputStream o = gzip(out.resolve(split + "-images-idx3-ubyte.gz"))) {
        o.writeInt(0x00000803);
        o.writeInt(images.length);
        o.writeInt(28);
        o.writeInt(28);
        for (byte[] image : images) {
          o.write(image);
        }
      }
      try (DataOutputStream o = gzip(out.resolve(split + "-labels-idx1-ubyte.gz"))) {
        o.writeInt(0x00000801);
        o.writeInt(labels.length);
        for (int label : labels) {
          o.writeByte(label);
        }
      }
    }
    return out;
  }

  private static DataOutputStream gzip(Path file) throws IOException {
    return new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)));
  }
}
