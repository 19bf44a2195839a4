package org.ddoq.core.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The MNIST IDX file format on any Hadoop file system: finding the files of a split, reading and
 * checking headers, reading the (small) labels file, and opening the images file at an image index.
 * Compression is recognised by the gzip magic bytes, not the file name.
 */
final class IdxFiles {
  static final int IMAGES_MAGIC = 0x00000803;
  static final int LABELS_MAGIC = 0x00000801;
  static final int IMAGES_HEADER_BYTES = 16;
  static final int LABELS_HEADER_BYTES = 8;
  private static final int BUFFER = 1 << 16;

  private IdxFiles() {}

  /**
   * An images file's header: {@code count} images of {@code height x width} unsigned bytes each.
   */
  record Images(String path, boolean gzip, int count, int height, int width)
      implements Serializable {
    int imageBytes() {
      return height * width;
    }

    long dataBytes() {
      return (long) count * imageBytes();
    }
  }

  /**
   * The names a split's file may have: upstream names, the dotted Kaggle variant, each plain or
   * .gz.
   */
  static List<String> candidateNames(String prefix, String kind, int dims) {
    String dashed = prefix + "-" + kind + "-idx" + dims + "-ubyte";
    String dotted = prefix + "-" + kind + ".idx" + dims + "-ubyte";
    // Plain first: it can be read from any index by seeking, a gzip stream only by decompressing up
    // to it.
    return List.of(dashed, dashed + ".gz", dotted, dotted + ".gz");
  }

  static Path find(FileSystem fs, Path dir, String prefix, String kind, int dims)
      throws IOException {
    List<String> names = candidateNames(prefix, kind, dims);
    for (String name : names) {
      Path p = new Path(dir, name);
      if (fs.isFile(p)) {
        return p;
      }
    }
    throw new InputException(
        "no "
            + prefix
            + " "
            + kind
            + " file in "
            + dir
            + ": expected "
            + names.get(0)
            + " or "
            + names.get(1)
            + " (MNIST IDX layout); put the file there or choose --format folder");
  }

  static Images readImagesHeader(FileSystem fs, Path path) throws IOException {
    boolean gzip = isGzip(fs, path);
    try (DataInputStream in = new DataInputStream(open(fs, path, gzip))) {
      int magic = in.readInt();
      checkMagic(path, magic, IMAGES_MAGIC, "images");
      int count = in.readInt();
      int height = in.readInt();
      int width = in.readInt();
      if (count < 0 || height < 1 || width < 1) {
        throw new InputException(
            path
                + " has an impossible IDX header ("
                + count
                + " images of "
                + height
                + "x"
                + width
                + "); the file is damaged: download or copy it again");
      }
      return new Images(path.toString(), gzip, count, height, width);
    } catch (EOFException e) {
      throw truncatedHeader(path);
    }
  }

  /** Reads all labels, checking the header, the count and that nothing follows the last label. */
  static byte[] readLabels(FileSystem fs, Path path) throws IOException {
    try (DataInputStream in = new DataInputStream(open(fs, path, isGzip(fs, path)))) {
      int magic;
      int count;
      try {
        magic = in.readInt();
        checkMagic(path, magic, LABELS_MAGIC, "labels");
        count = in.readInt();
      } catch (EOFException e) {
        throw truncatedHeader(path);
      }
      byte[] labels = new byte[count];
      int got = in.readNBytes(labels, 0, count);
      if (got < count) {
        throw truncated(path, count + " labels", got + " labels");
      }
      if (in.read() != -1) {
        throw new InputException(
            path
                + " has bytes after its "
                + count
                + " labels; the header and the data"
                + " disagree, so the file is not a valid IDX labels file: download or copy it again");
      }
      return labels;
    } catch (IOException e) {
      // A gzip stream cut short surfaces as "Unexpected end of ZLIB input stream" rather than EOF.
      if (e instanceof EOFException || String.valueOf(e.getMessage()).contains("Unexpected end")) {
        throw truncated(path, "its announced labels", "fewer");
      }
      throw e;
    }
  }

  /**
   * Checks that the images file holds exactly the pixels its header announces. Plain files: by
   * length. Gzip: by the trailer's uncompressed size, falling back to decompressing the whole
   * stream on the driver (streaming, nothing kept) when the trailer disagrees (cut file, or several
   * gzip members).
   */
  static void checkImagesLength(FileSystem fs, Images images) throws IOException {
    Path path = new Path(images.path());
    long expected = IMAGES_HEADER_BYTES + images.dataBytes();
    long fileLength = fs.getFileStatus(path).getLen();
    String what = images.count() + " images of " + images.height() + "x" + images.width();
    if (!images.gzip()) {
      checkLength(path, expected, fileLength, what);
      return;
    }
    if (fileLength >= 18 && gzipTrailerSize(fs, path, fileLength) == (expected & 0xffffffffL)) {
      return;
    }
    long actual = 0;
    try (InputStream in = open(fs, path, true)) {
      byte[] buf = new byte[BUFFER];
      for (int n; (n = in.read(buf)) > 0; ) {
        actual += n;
      }
    } catch (IOException e) {
      throw truncated(
          path,
          what + " (" + expected + " bytes uncompressed)",
          actual + " bytes before the gzip stream breaks off");
    }
    checkLength(path, expected, actual, what);
  }

  /** Opens the images file positioned at the first byte of image {@code index}. */
  static InputStream openAt(FileSystem fs, Images images, long index) throws IOException {
    Path path = new Path(images.path());
    long offset = IMAGES_HEADER_BYTES + index * images.imageBytes();
    if (images.gzip()) {
      InputStream in = open(fs, path, true);
      in.skipNBytes(offset);
      return in;
    }
    FSDataInputStream raw = fs.open(path, BUFFER);
    raw.seek(offset);
    return new BufferedInputStream(raw, BUFFER);
  }

  static InputStream open(FileSystem fs, Path path, boolean gzip) throws IOException {
    InputStream raw = fs.open(path, BUFFER);
    return gzip
        ? new BufferedInputStream(new GZIPInputStream(raw, BUFFER), BUFFER)
        : new BufferedInputStream(raw, BUFFER);
  }

  private static boolean isGzip(FileSystem fs, Path path) throws IOException {
    try (FSDataInputStream in = fs.open(path)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    }
  }

  /** ISIZE: the last four bytes of a gzip member, little-endian, the uncompressed size mod 2^32. */
  private static long gzipTrailerSize(FileSystem fs, Path path, long fileLength)
      throws IOException {
    try (FSDataInputStream in = fs.open(path)) {
      in.seek(fileLength - 4);
      long size = 0;
      for (int i = 0; i < 4; i++) {
        size |= (long) (in.read() & 0xff) << (8 * i);
      }
      return size;
    }
  }

  private static void checkLength(Path path, long expected, long actual, String what) {
    if (actual < expected) {
      throw truncated(path, what + " (" + expected + " bytes)", actual + " bytes");
    }
    if (actual > expected) {
      throw new InputException(
          path
              + " holds "
              + (actual - expected)
              + " bytes more than its header announces ("
              + what
              + "); the file is damaged or not an IDX images file: download or copy it again");
    }
  }

  private static void checkMagic(Path path, int magic, int expected, String kind) {
    if (magic != expected) {
      throw new InputException(
          String.format(
              "%s is not an IDX %s file: magic number 0x%08x, expected 0x%08x;"
                  + " check that the %s file is the one named there (images: *-images-idx3-ubyte, labels:"
                  + " *-labels-idx1-ubyte) and that it is not damaged",
              path, kind, magic, expected, kind));
    }
  }

  private static InputException truncated(Path path, String expected, String actual) {
    return new InputException(
        path
            + " is truncated: its header announces "
            + expected
            + " but it holds "
            + actual
            + "; download or copy the file again");
  }

  private static InputException truncatedHeader(Path path) {
    return new InputException(
        path
            + " is truncated: it is too short to hold an IDX header;"
            + " download or copy the file again");
  }
}
