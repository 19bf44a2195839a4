package org.ddoq.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Format auto-detection and the errors of ImageSources.read. */
class ImageSourcesTest {
  static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = TestSpark.start("ddoq-data-tests");
  }

  @Test
  void autoPicksIdxWhenIdxFilesArePresent() {
    ImageDataset data = ImageSources.read(spark, IdxReaderTest.FASHION, "auto", "test", null);
    assertEquals("idx", data.format());
    assertEquals(IdxReader.FASHION_MNIST_CLASSES, data.classNames());
  }

  @Test
  void autoPicksTheSplitFolderWhenTrainAndTestFoldersExist(@TempDir Path dir) throws IOException {
    png(dir, "train/cat/1.png");
    png(dir, "train/dog/1.png");
    png(dir, "test/cat/1.png");
    png(dir, "test/dog/1.png");
    png(dir, "test/dog/2.png");
    ImageDataset train = ImageSources.read(spark, dir.toString(), "auto", "train", null);
    assertEquals("folder", train.format());
    assertEquals(List.of("cat", "dog"), train.classNames());
    assertEquals(2, train.rows().count());
    assertEquals(
        3, ImageSources.read(spark, dir.toString(), "folder", "test", null).rows().count());
  }

  @Test
  void classFoldersDirectlyInTheDirectoryServeOnlyTheTrainSplit(@TempDir Path dir)
      throws IOException {
    png(dir, "cat/1.png");
    png(dir, "dog/1.png");
    assertEquals(
        List.of("cat", "dog"),
        ImageSources.read(spark, dir.toString(), "auto", "train", null).classNames());
    InputException e =
        assertThrows(
            InputException.class,
            () -> ImageSources.read(spark, dir.toString(), "auto", "test", null));
    assertTrue(e.getMessage().contains("has no test split"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.resolve("test") + "/<class>/<images>"), e.getMessage());
  }

  @Test
  void aMissingInputPathIsRefusedNamingIt(@TempDir Path dir) {
    String missing = dir.resolve("no-such-data").toString();
    InputException e =
        assertThrows(
            InputException.class, () -> ImageSources.read(spark, missing, "auto", "train", null));
    assertTrue(
        e.getMessage().startsWith("input path " + missing + " does not exist; check the path"),
        e.getMessage());
  }

  @Test
  void anUnknownFormatOrSplitIsRefused(@TempDir Path dir) {
    InputException format =
        assertThrows(
            InputException.class,
            () -> ImageSources.read(spark, dir.toString(), "npy", "train", null));
    assertTrue(
        format
            .getMessage()
            .contains("format must be 'idx', 'folder', 'parquet' or 'auto', got 'npy'"),
        format.getMessage());
    InputException split =
        assertThrows(
            InputException.class,
            () -> ImageSources.read(spark, dir.toString(), "auto", "val", null));
    assertTrue(
        split.getMessage().contains("split must be 'train' or 'test', got 'val'"),
        split.getMessage());
  }

  @Test
  void aTestFolderWithoutATrainFolderIsRefusedRatherThanReadAsAClass(@TempDir Path dir)
      throws IOException {
    png(dir, "test/cat/a.png");
    png(dir, "dog/b.png");
    InputException e =
        assertThrows(
            InputException.class,
            () -> ImageSources.read(spark, dir.toString(), "auto", "train", null));
    assertTrue(
        e.getMessage().contains("has a test/ folder but no train/ folder; put the training images"),
        e.getMessage());
  }

  private static void png(Path root, String relative) throws IOException {
    ImageFolderReaderTest.write(
        root,
        relative,
        ImageFolderReaderTest.solid(6, 6, 0x777777, BufferedImage.TYPE_BYTE_GRAY),
        "png");
  }
}
