package org.ddoq.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IdxReader against the real Fashion-MNIST files (Debian's dataset-fashion-mnist) and small made-up
 * files.
 */
class IdxReaderTest {
  static final String FASHION = "/usr/share/datasets/fashion-mnist";
  static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = TestSpark.start("ddoq-data-tests");
  }

  @Test
  void trainSplitHasSixtyThousandImagesSixThousandPerClassWithFashionNames() {
    ImageDataset data = IdxReader.read(spark, FASHION, "train", null);
    assertEquals(new ImageShape(1, 28, 28), data.shape());
    assertEquals(IdxReader.FASHION_MNIST_CLASSES, data.classNames());
    assertEquals("idx", data.format());
    assertTrue(data.skipped().isEmpty());
    Map<Integer, Long> histogram = labelHistogram(data);
    assertEquals(10, histogram.size());
    histogram.values().forEach(n -> assertEquals(6000L, n));
    // Executors read slices of the images file: more than one task, none holding the whole file.
    assertTrue(data.rows().rdd().getNumPartitions() > 1);

    // Facts checked with Python's gzip on the same file: label 9, pixel sum 76247.
    Row first = data.rows().filter("id = 0").first();
    assertEquals(9, first.getInt(1));
    assertEquals("Ankle boot", first.getString(2));
    assertTrue(first.getString(3).endsWith("train-images-idx3-ubyte.gz#0"), first.getString(3));
    byte[] image = (byte[]) first.get(4);
    assertEquals(784, image.length);
    assertEquals(76247, pixelSum(image));
  }

  @Test
  void testSplitReadsTheT10kFilesWithAThousandPerClass() {
    ImageDataset data = IdxReader.read(spark, FASHION, "test", null);
    Map<Integer, Long> histogram = labelHistogram(data);
    assertEquals(10, histogram.size());
    histogram.values().forEach(n -> assertEquals(1000L, n));
    assertEquals(9, data.rows().filter("id = 0").first().getInt(1));
  }

  @Test
  void gzippedAndPlainFilesGiveIdenticalRows(@TempDir Path tmp) throws IOException {
    Path plain = Files.createDirectory(tmp.resolve("fashion-plain"));
    gunzip(Path.of(FASHION, "t10k-images-idx3-ubyte.gz"), plain.resolve("t10k-images-idx3-ubyte"));
    gunzip(Path.of(FASHION, "t10k-labels-idx1-ubyte.gz"), plain.resolve("t10k-labels-idx1-ubyte"));
    List<Row> fromGz = sortedRows(IdxReader.read(spark, FASHION, "test", null));
    ImageDataset unzipped = IdxReader.read(spark, plain.toString(), "test", null);
    assertEquals(IdxReader.FASHION_MNIST_CLASSES, unzipped.classNames());
    List<Row> fromPlain = sortedRows(unzipped);
    assertEquals(10_000, fromPlain.size());
    for (int i = 0; i < fromGz.size(); i++) {
      assertEquals(fromGz.get(i).getLong(0), fromPlain.get(i).getLong(0));
      assertEquals(fromGz.get(i).getInt(1), fromPlain.get(i).getInt(1));
      assertArrayEquals(
          (byte[]) fromGz.get(i).get(4), (byte[]) fromPlain.get(i).get(4), "image " + i);
    }
  }

  @Test
  void truncatedPlainImagesFileIsRefusedNamingIt(@TempDir Path tmp) throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("cut"));
    writeIdx(dir, "train", 5, 4, 4, 5);
    Path images = dir.resolve("train-images-idx3-ubyte");
    byte[] bytes = Files.readAllBytes(images);
    Files.write(images, Arrays.copyOf(bytes, bytes.length - 10));
    InputException e =
        assertThrows(
            InputException.class, () -> IdxReader.read(spark, dir.toString(), "train", null));
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte is truncated"), e.getMessage());
    assertTrue(e.getMessage().contains("copy the file again"), e.getMessage());
  }

  @Test
  void truncatedGzipImagesFileIsRefusedNamingIt(@TempDir Path tmp) throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("fashion-cut"));
    byte[] gz = Files.readAllBytes(Path.of(FASHION, "t10k-images-idx3-ubyte.gz"));
    Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), Arrays.copyOf(gz, gz.length / 2));
    Files.copy(
        Path.of(FASHION, "t10k-labels-idx1-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"));
    InputException e =
        assertThrows(
            InputException.class, () -> IdxReader.read(spark, dir.toString(), "test", null));
    assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte.gz is truncated"), e.getMessage());
    assertTrue(e.getMessage().contains("download or copy the file again"), e.getMessage());
  }

  @Test
  void imagesAndLabelsWithDifferentCountsAreRefusedNamingBoth(@TempDir Path tmp)
      throws IOException {
    writeIdx(tmp, "train", 5, 4, 4, 4);
    InputException e =
        assertThrows(
            InputException.class, () -> IdxReader.read(spark, tmp.toString(), "train", null));
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte holds 5 images"), e.getMessage());
    assertTrue(e.getMessage().contains("train-labels-idx1-ubyte holds 4 labels"), e.getMessage());
  }

  @Test
  void aLabelsFileInPlaceOfTheImagesFileIsRefusedByItsMagicNumber(@TempDir Path tmp)
      throws IOException {
    writeIdx(tmp, "train", 3, 4, 4, 3);
    Files.copy(
        tmp.resolve("train-labels-idx1-ubyte"),
        tmp.resolve("train-images-idx3-ubyte"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    InputException e =
        assertThrows(
            InputException.class, () -> IdxReader.read(spark, tmp.toString(), "train", null));
    assertTrue(
        e.getMessage().contains("train-images-idx3-ubyte is not an IDX images file"),
        e.getMessage());
  }

  @Test
  void missingTestFilesAreNamed(@TempDir Path tmp) throws IOException {
    writeIdx(tmp, "train", 3, 4, 4, 3);
    InputException e =
        assertThrows(
            InputException.class, () -> IdxReader.read(spark, tmp.toString(), "test", null));
    assertTrue(
        e.getMessage().contains("t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz"),
        e.getMessage());
  }

  @Test
  void aPlainDirectoryNamesDigitsAndClassesTxtOverrides(@TempDir Path tmp) throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("digits"));
    writeIdx(dir, "train", 3, 4, 4, 3);
    assertEquals(
        List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
        IdxReader.read(spark, dir.toString(), "train", null).classNames());
    Files.writeString(dir.resolve("classes.txt"), "zero\none\ntwo\n\n");
    ImageDataset named = IdxReader.read(spark, dir.toString(), "train", null);
    assertEquals(List.of("zero", "one", "two"), named.classNames());
    assertEquals("two", named.rows().filter("id = 2").first().getString(2));
  }

  @Test
  void classesTxtWithTooFewNamesIsRefused(@TempDir Path tmp) throws IOException {
    writeIdx(tmp, "train", 3, 4, 4, 3);
    Files.writeString(tmp.resolve("classes.txt"), "zero\n");
    InputException e =
        assertThrows(
            InputException.class, () -> IdxReader.read(spark, tmp.toString(), "train", null));
    assertTrue(e.getMessage().contains("classes.txt names 1 classes"), e.getMessage());
    assertTrue(e.getMessage().contains("one class name per line"), e.getMessage());
  }

  @Test
  void aTargetShapeConvertsEveryImage(@TempDir Path tmp) throws IOException {
    writeIdx(tmp, "train", 3, 4, 4, 3);
    ImageDataset data = IdxReader.read(spark, tmp.toString(), "train", new ImageShape(3, 8, 8));
    assertEquals(new ImageShape(3, 8, 8), data.shape());
    for (Row r : data.rows().collectAsList()) {
      byte[] image = (byte[]) r.get(4);
      assertEquals(192, image.length);
      // Image i is uniformly grey with value 10 * i, so every pixel of every channel is that value.
      for (byte b : image) {
        assertEquals(10 * r.getLong(0), b & 0xff);
      }
    }
  }

  /** Writes plain IDX files: image i filled with the value 10 * i, label i. */
  static void writeIdx(Path dir, String prefix, int images, int h, int w, int labels)
      throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte")))) {
      out.writeInt(IdxFiles.IMAGES_MAGIC);
      out.writeInt(images);
      out.writeInt(h);
      out.writeInt(w);
      for (int i = 0; i < images; i++) {
        byte[] pixels = new byte[h * w];
        Arrays.fill(pixels, (byte) (10 * i));
        out.write(pixels);
      }
    }
    try (DataOutputStream out =
        new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte")))) {
      out.writeInt(IdxFiles.LABELS_MAGIC);
      out.writeInt(labels);
      for (int i = 0; i < labels; i++) {
        out.writeByte(i);
      }
    }
  }

  private static Map<Integer, Long> labelHistogram(ImageDataset data) {
    Map<Integer, Long> histogram = new TreeMap<>();
    for (Row r : data.rows().groupBy(ImageRows.LABEL).count().collectAsList()) {
      histogram.put(r.getInt(0), r.getLong(1));
    }
    return histogram;
  }

  private static List<Row> sortedRows(ImageDataset data) {
    return data.rows().orderBy(ImageRows.ID).collectAsList();
  }

  private static long pixelSum(byte[] image) {
    long sum = 0;
    for (byte b : image) {
      sum += b & 0xff;
    }
    return sum;
  }

  private static void gunzip(Path from, Path to) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(from));
        OutputStream out = Files.newOutputStream(to)) {
      in.transferTo(out);
    }
  }
}
