package org.ddoq.jobs;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes the first N images of the real Fashion-MNIST (Debian's dataset-fashion-mnist) as a small
 * IDX directory.
 */
final class FashionSlice {
  static final Path SOURCE = Path.of("/usr/share/datasets/fashion-mnist");

  private FashionSlice() {}

  static Path write(Path dir, int train, int test) throws IOException {
    Path out = dir.resolve("fashion-mnist-slice");
    Files.createDirectories(out);
    copy("train", train, out);
    copy("t10k", test, out);
    return out;
  }

  private static void copy(String split, int n, Path out) throws IOException {
    copyIdx(
        SOURCE.resolve(split + "-images-idx3-ubyte.gz"),
        out.resolve(split + "-images-idx3-ubyte.gz"),
        n,
        true);
    copyIdx(
        SOURCE.resolve(split + "-labels-idx1-ubyte.gz"),
        out.resolve(split + "-labels-idx1-ubyte.gz"),
        n,
        false);
  }

  private static void copyIdx(Path from, Path to, int n, boolean images) throws IOException {
    if (!Files.exists(from)) {
      throw new IllegalStateException(
          from + " is missing: run bin/setup (apt-get install dataset-fashion-mnist)");
    }
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(from)));
        DataOutputStream o =
            new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(to)))) {
      o.writeInt(in.readInt());
      in.readInt();
      o.writeInt(n);
      int itemSize = 1;
      if (images) {
        int rows = in.readInt();
        int cols = in.readInt();
        o.writeInt(rows);
        o.writeInt(cols);
        itemSize = rows * cols;
      }
      byte[] buffer = new byte[n * itemSize];
      in.readFully(buffer);
      o.write(buffer);
    }
  }

  /** Re-reads the images of a slice, one byte array of rows x cols pixels per image. */
  static byte[][] images(Path slice, String split) throws IOException {
    try (InputStream raw = Files.newInputStream(slice.resolve(split + "-images-idx3-ubyte.gz"));
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
      in.readInt();
      int n = in.readInt();
      int size = in.readInt() * in.readInt();
      byte[][] images = new byte[n][size];
      for (byte[] image : images) {
        in.readFully(image);
      }
      return images;
    }
  }

  /** Re-reads labels of a slice (for expected class sizes). */
  static int[] labels(Path slice, String split) throws IOException {
    try (InputStream raw = Files.newInputStream(slice.resolve(split + "-labels-idx1-ubyte.gz"));
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
      in.readInt();
      int n = in.readInt();
      int[] labels = new int[n];
      for (int i = 0; i < n; i++) {
        labels[i] = in.readUnsignedByte();
      }
      return labels;
    }
  }
}
