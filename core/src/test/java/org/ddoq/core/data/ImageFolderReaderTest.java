package org.ddoq.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.RDDInfo;
import org.ddoq.core.TestSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ImageFolderReader on small image folders written with ImageIO in a temporary directory. */
class ImageFolderReaderTest {
  static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark = TestSpark.start("ddoq-data-tests");
  }

  @Test
  void labelsFollowSortedFolderNamesAndEveryImageIsResizedToTheTarget(@TempDir Path dir)
      throws IOException {
    write(dir, "dog/b.png", solid(40, 30, 0x808080, BufferedImage.TYPE_INT_RGB), "png");
    write(dir, "cat/z.jpg", solid(20, 20, 0x404040, BufferedImage.TYPE_INT_RGB), "jpg");
    write(dir, "cat/a.png", solid(64, 64, 0x101010, BufferedImage.TYPE_BYTE_GRAY), "png");
    // Files in sub-folders of a class folder belong to that class, as in torchvision's ImageFolder.
    write(dir, "dog/puppies/c.png", solid(16, 16, 0x202020, BufferedImage.TYPE_INT_RGB), "png");
    ImageShape target = new ImageShape(1, 16, 16);
    ImageDataset data = ImageFolderReader.read(spark, dir.toString(), target);
    assertEquals(List.of("cat", "dog"), data.classNames());
    assertEquals(target, data.shape());
    assertEquals("folder", data.format());
    assertTrue(data.skipped().isEmpty(), data.skipped().toString());
    List<Row> rows = data.rows().orderBy(ImageRows.ID).collectAsList();
    assertEquals(
        List.of("cat/a.png", "cat/z.jpg", "dog/b.png", "dog/puppies/c.png"),
        rows.stream().map(r -> relative(dir, r.getString(3))).toList());
    assertEquals(List.of(0L, 1L, 2L, 3L), rows.stream().map(r -> r.getLong(0)).toList());
    assertEquals(List.of(0, 0, 1, 1), rows.stream().map(r -> r.getInt(1)).toList());
    assertEquals(
        List.of("cat", "cat", "dog", "dog"), rows.stream().map(r -> r.getString(2)).toList());
    for (Row r : rows) {
      assertEquals(256, ((byte[]) r.get(4)).length);
    }
    // A uniform image stays uniform through resize: grey PNG values are kept exactly (no gamma
    // shift).
    assertUniform((byte[]) rows.get(0).get(4), 0x10, 0);
    assertUniform((byte[]) rows.get(2).get(4), 0x80, 0);
    assertUniform((byte[]) rows.get(1).get(4), 0x40, 2); // JPEG is lossy
  }

  @Test
  void rgbBecomesGreyByLumaAndGreyBecomesRgbByCopying(@TempDir Path dir) throws IOException {
    write(dir, "a/red.png", solid(10, 10, 0xff0000, BufferedImage.TYPE_INT_RGB), "png");
    write(dir, "b/grey.png", solid(10, 10, 0x646464, BufferedImage.TYPE_BYTE_GRAY), "png");
    List<Row> grey =
        ImageFolderReader.read(spark, dir.toString(), new ImageShape(1, 10, 10))
            .rows()
            .orderBy(ImageRows.ID)
            .collectAsList();
    assertUniform((byte[]) grey.get(0).get(4), 76, 0); // 0.299 * 255
    List<Row> rgb =
        ImageFolderReader.read(spark, dir.toString(), new ImageShape(3, 10, 10))
            .rows()
            .orderBy(ImageRows.ID)
            .collectAsList();
    byte[] red = (byte[]) rgb.get(0).get(4);
    assertUniform(Arrays.copyOfRange(red, 0, 100), 255, 0);
    assertUniform(Arrays.copyOfRange(red, 100, 300), 0, 0);
    assertUniform((byte[]) rgb.get(1).get(4), 100, 0);
  }

  @Test
  void downscalingAveragesFineDetailInsteadOfAliasing(@TempDir Path dir) throws IOException {
    BufferedImage checker = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        checker.getRaster().setSample(x, y, 0, (x + y) % 2 == 0 ? 0 : 255);
      }
    }
    write(dir, "checker/c.png", checker, "png");
    byte[] small =
        (byte[])
            ImageFolderReader.read(spark, dir.toString(), new ImageShape(1, 8, 8))
                .rows()
                .first()
                .get(4);
    // Plain bilinear sampling would pick isolated 0s and 255s; an averaging filter gives mid-grey.
    assertUniform(small, 128, 4);
  }

  @Test
  void withoutATargetTheFirstImageGivesSizeAndChannels(@TempDir Path tmp) throws IOException {
    Path grey = Files.createDirectory(tmp.resolve("grey"));
    write(grey, "a/1.png", solid(12, 7, 0x202020, BufferedImage.TYPE_BYTE_GRAY), "png");
    write(grey, "b/2.png", solid(30, 30, 0xff0000, BufferedImage.TYPE_INT_RGB), "png");
    assertEquals(
        new ImageShape(1, 7, 12), ImageFolderReader.read(spark, grey.toString(), null).shape());
    Path colour = Files.createDirectory(tmp.resolve("colour"));
    write(colour, "a/1.png", solid(9, 5, 0xff0000, BufferedImage.TYPE_INT_RGB), "png");
    ImageDataset data = ImageFolderReader.read(spark, colour.toString(), null);
    assertEquals(new ImageShape(3, 5, 9), data.shape());
    assertEquals(135, ((byte[]) data.rows().first().get(4)).length);
  }

  @Test
  void badFilesAreSkippedAndListedWithWhatToDo(@TempDir Path dir) throws IOException {
    write(dir, "cat/good.png", solid(8, 8, 0x303030, BufferedImage.TYPE_BYTE_GRAY), "png");
    byte[] png = encode(solid(8, 8, 0x303030, BufferedImage.TYPE_BYTE_GRAY), "png");
    byte[] corrupt = Arrays.copyOf(png, png.length);
    // Keep the signature and IHDR chunk (33 bytes), scramble the image data after them.
    for (int i = 33; i < corrupt.length; i++) {
      corrupt[i] = (byte) (i * 31);
    }
    Files.write(dir.resolve("cat/corrupt.png"), corrupt);
    Files.write(dir.resolve("cat/empty.png"), new byte[0]);
    Files.writeString(dir.resolve("cat/text.png"), "this is not a picture", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("cat/notes.txt"), "labelled by hand", StandardCharsets.UTF_8);
    ImageDataset data = ImageFolderReader.read(spark, dir.toString(), new ImageShape(1, 8, 8));
    assertEquals(1, data.rows().count());
    assertEquals("cat/good.png", relative(dir, data.rows().first().getString(3)));
    Map<String, String> reasons =
        data.skipped().stream()
            .collect(
                Collectors.toMap(s -> relative(dir, s.source()), ImageDataset.Skipped::reason));
    assertEquals(4, reasons.size(), reasons.toString());
    assertTrue(
        reasons.get("cat/corrupt.png").startsWith("corrupt or truncated image data"),
        reasons.toString());
    assertTrue(reasons.get("cat/corrupt.png").contains("export the image again or delete it"));
    assertTrue(reasons.get("cat/empty.png").startsWith("empty file (0 bytes)"), reasons.toString());
    assertTrue(reasons.get("cat/text.png").startsWith("not a PNG/JPEG"), reasons.toString());
    assertTrue(reasons.get("cat/text.png").contains("convert it to PNG or delete it"));
    assertTrue(
        reasons
            .get("cat/notes.txt")
            .startsWith("ignored: not an image file name (extension 'txt')"),
        reasons.toString());
  }

  @Test
  void listingTheSkippedFilesLeavesEveryDecodedPartitionCached(@TempDir Path dir)
      throws IOException {
    for (int i = 0; i < 6; i++) {
      write(
          dir,
          "c" + (i % 2) + "/" + i + ".png",
          solid(8, 8, 0x10 * i, BufferedImage.TYPE_BYTE_GRAY),
          "png");
    }
    ImageDataset data = ImageFolderReader.read(spark, dir.toString(), null);
    String name = "decoded images of 2 classes from " + dir.toUri().getPath().replaceAll("/$", "");
    RDDInfo cached =
        Arrays.stream(spark.sparkContext().getRDDStorageInfo())
            .filter(info -> info.name().endsWith(name))
            .findFirst()
            .orElseThrow();
    // Using the rows after read() returned reads the cache instead of decoding the files again.
    assertEquals(cached.numPartitions(), cached.numCachedPartitions());
    assertEquals(6, data.rows().count());
  }

  @Test
  void anEmptyClassFolderIsRefusedNamingIt(@TempDir Path dir) throws IOException {
    write(dir, "cat/a.png", solid(8, 8, 0, BufferedImage.TYPE_BYTE_GRAY), "png");
    Files.createDirectories(dir.resolve("dog"));
    Files.writeString(dir.resolve("dog/readme.txt"), "todo");
    InputException e =
        assertThrows(
            InputException.class, () -> ImageFolderReader.read(spark, dir.toString(), null));
    assertTrue(e.getMessage().startsWith("class folder "), e.getMessage());
    assertTrue(
        e.getMessage().contains(dir.resolve("dog") + " contains no image files"), e.getMessage());
    assertTrue(e.getMessage().contains("add images to it or remove it"), e.getMessage());
  }

  @Test
  void aClassWhoseImagesAllFailToDecodeIsRefused(@TempDir Path dir) throws IOException {
    write(dir, "cat/a.png", solid(8, 8, 0, BufferedImage.TYPE_BYTE_GRAY), "png");
    Files.write(Files.createDirectories(dir.resolve("dog")).resolve("broken.png"), new byte[0]);
    InputException e =
        assertThrows(
            InputException.class,
            () -> ImageFolderReader.read(spark, dir.toString(), new ImageShape(1, 8, 8)));
    assertTrue(e.getMessage().contains("no image in class folder"), e.getMessage());
    assertTrue(e.getMessage().contains("dog"), e.getMessage());
  }

  @Test
  void aMissingFolderOrOneWithoutClassFoldersIsRefused(@TempDir Path dir) throws IOException {
    InputException missing =
        assertThrows(
            InputException.class,
            () -> ImageFolderReader.read(spark, dir.resolve("nope").toString(), null));
    assertTrue(missing.getMessage().contains("nope does not exist"), missing.getMessage());
    write(dir, "flat.png", solid(8, 8, 0, BufferedImage.TYPE_BYTE_GRAY), "png");
    InputException flat =
        assertThrows(
            InputException.class, () -> ImageFolderReader.read(spark, dir.toString(), null));
    assertTrue(flat.getMessage().contains("has no class sub-folders"), flat.getMessage());
    assertTrue(flat.getMessage().contains("one folder per class"), flat.getMessage());
  }

  @Test
  void aSymbolicLinkLoopOrASecondLinkIsFollowedOnceAndNamed(@TempDir Path dir) throws IOException {
    write(dir, "cat/a.png", solid(8, 8, 0x10, BufferedImage.TYPE_BYTE_GRAY), "png");
    write(dir, "cat/b.png", solid(8, 8, 0x20, BufferedImage.TYPE_BYTE_GRAY), "png");
    write(dir, "dog/c.png", solid(8, 8, 0x30, BufferedImage.TYPE_BYTE_GRAY), "png");
    // A loop back to the input folder, and a second way into cat/ from dog/.
    Files.createSymbolicLink(dir.resolve("cat/loop"), Path.of(".."));
    Files.createSymbolicLink(dir.resolve("dog/again"), Path.of("../cat"));
    long started = System.nanoTime();
    ImageDataset data = ImageFolderReader.read(spark, dir.toString(), null);
    assertTrue(System.nanoTime() - started < 60_000_000_000L, "listing ends, it does not loop");
    assertEquals(List.of("cat", "dog"), data.classNames());
    assertEquals(
        List.of("cat/a.png", "cat/b.png", "dog/c.png"),
        data.rows().orderBy(ImageRows.ID).collectAsList().stream()
            .map(r -> relative(dir, r.getString(3)))
            .toList(),
        "every image once, in its own class");
    Map<String, String> reasons =
        data.skipped().stream()
            .collect(
                Collectors.toMap(s -> relative(dir, s.source()), ImageDataset.Skipped::reason));
    assertEquals(List.of("cat/loop", "dog/again"), reasons.keySet().stream().sorted().toList());
    String real = dir.toRealPath().toString();
    assertTrue(
        reasons.get("cat/loop").startsWith("ignored: leads to folder " + real + ", which is read"),
        reasons.toString());
    assertTrue(
        reasons.get("dog/again").contains(real + "/cat")
            && reasons.get("dog/again").contains("link"),
        reasons.toString());
  }

  @Test
  void dotAndUnderscoreFoldersWithImagesAreClassesAndThoseWithoutAreNamed(@TempDir Path dir)
      throws IOException {
    write(dir, "..digit_2/a.png", solid(8, 8, 0x10, BufferedImage.TYPE_BYTE_GRAY), "png");
    write(dir, "_extra/b.png", solid(8, 8, 0x20, BufferedImage.TYPE_BYTE_GRAY), "png");
    write(dir, "digit_1/c.png", solid(8, 8, 0x30, BufferedImage.TYPE_BYTE_GRAY), "png");
    Files.createDirectories(dir.resolve(".ipynb_checkpoints"));
    Files.writeString(dir.resolve(".ipynb_checkpoints/notes-checkpoint.ipynb"), "{}");
    ImageDataset data = ImageFolderReader.read(spark, dir.toString(), null);
    // torchvision's order: every folder sorted by name; none of the images is lost.
    assertEquals(List.of("..digit_2", "_extra", "digit_1"), data.classNames());
    assertEquals(3, data.rows().count());
    assertEquals(1, data.skipped().size(), data.skipped().toString());
    ImageDataset.Skipped leftover = data.skipped().get(0);
    assertEquals(".ipynb_checkpoints", relative(dir, leftover.source()));
    assertTrue(
        leftover.reason().startsWith("ignored: folder starts with '.' or '_' and holds no image"),
        leftover.reason());
  }

  @Test
  void anImageDeclaringMorePixelsThanTheLimitIsRefusedFromItsHeaderNamingIt(@TempDir Path dir)
      throws IOException {
    write(dir, "cat/a.png", solid(8, 8, 0x10, BufferedImage.TYPE_BYTE_GRAY), "png");
    write(dir, "dog/b.png", solid(8, 8, 0x20, BufferedImage.TYPE_BYTE_GRAY), "png");
    byte[] bomb = BombPng.of(30000, 30000);
    assertTrue(bomb.length < 1_000_000, "a valid PNG under 1 MB: " + bomb.length);
    Files.write(dir.resolve("cat/bomb.png"), bomb);
    long started = System.nanoTime();
    ImageDataset data = ImageFolderReader.read(spark, dir.toString(), new ImageShape(1, 8, 8));
    double seconds = (System.nanoTime() - started) / 1e9;
    // Decoding it would take 900 MB and minutes; its header takes microseconds.
    assertTrue(seconds < 30, "refused quickly, took " + seconds + " s");
    assertEquals(2, data.rows().count());
    assertEquals(1, data.skipped().size(), data.skipped().toString());
    assertEquals("cat/bomb.png", relative(dir, data.skipped().get(0).source()));
    assertEquals(
        "refused before decoding: its header declares 30000 x 30000 = 900,000,000 pixels, over the"
            + " limit of 89,478,485 (a decompression bomb, or a very large image); shrink the image,"
            + " or raise --max-image-pixels if you trust it",
        data.skipped().get(0).reason());
  }

  @Test
  void thePixelLimitIsReadFromTheHadoopConfiguration(@TempDir Path dir) throws IOException {
    write(dir, "cat/small.png", solid(8, 8, 0x10, BufferedImage.TYPE_BYTE_GRAY), "png");
    write(dir, "cat/large.png", solid(9, 8, 0x10, BufferedImage.TYPE_BYTE_GRAY), "png");
    var conf = spark.sparkContext().hadoopConfiguration();
    conf.setLong(ImageLimits.KEY, 64);
    try {
      ImageDataset data = ImageFolderReader.read(spark, dir.toString(), null);
      assertEquals(1, data.rows().count());
      assertEquals("cat/large.png", relative(dir, data.skipped().get(0).source()));
      assertTrue(
          data.skipped().get(0).reason().contains("9 x 8 = 72 pixels, over the limit of 64"));
      conf.setLong(ImageLimits.KEY, 0);
      InputException e =
          assertThrows(
              InputException.class,
              () -> ImageFolderReader.read(spark, dir.toString(), new ImageShape(1, 8, 8)));
      assertTrue(
          e.getMessage().startsWith("ddoq.max-image-pixels must be between 1 and"), e.getMessage());
    } finally {
      conf.unset(ImageLimits.KEY);
    }
  }

  @Test
  void classFoldersNamedInAnyScriptAreReadAsTheyAreNamed(@TempDir Path dir) throws IOException {
    for (String name : List.of("猫", "犬", "鳥")) {
      write(
          dir, name + "/" + name + ".png", solid(8, 8, 0x10, BufferedImage.TYPE_BYTE_GRAY), "png");
    }
    ImageDataset data = ImageFolderReader.read(spark, dir.toString(), null);
    assertEquals(List.of("犬", "猫", "鳥"), data.classNames(), "sorted by name, as torchvision");
    assertEquals(3, data.rows().count());
    assertTrue(data.skipped().isEmpty(), data.skipped().toString());
  }

  @Test
  void aLooseFileBesideTheClassFoldersIsListedNotRead(@TempDir Path dir) throws IOException {
    write(dir, "cat/a.png", solid(8, 8, 0x10, BufferedImage.TYPE_BYTE_GRAY), "png");
    write(dir, "stray.png", solid(8, 8, 0x10, BufferedImage.TYPE_BYTE_GRAY), "png");
    ImageDataset data = ImageFolderReader.read(spark, dir.toString(), null);
    assertEquals(1, data.rows().count());
    assertEquals("stray.png", relative(dir, data.skipped().get(0).source()));
    assertTrue(
        data.skipped().get(0).reason().contains("belongs to no class; move it into a class folder"),
        data.skipped().get(0).reason());
  }

  @Test
  void aLinkWhoseTargetIsGoneIsNamedNotLostSilently(@TempDir Path dir) throws IOException {
    write(dir, "cat/a.png", solid(8, 8, 0x10, BufferedImage.TYPE_BYTE_GRAY), "png");
    Files.createSymbolicLink(dir.resolve("cat/gone.png"), Path.of("nowhere.png"));
    Files.createSymbolicLink(dir.resolve("dog"), Path.of("/no/such/folder"));
    ImageDataset data = ImageFolderReader.read(spark, dir.toString(), null);
    assertEquals(List.of("cat"), data.classNames());
    assertEquals(1, data.rows().count());
    Map<String, String> reasons =
        data.skipped().stream()
            .collect(
                Collectors.toMap(s -> relative(dir, s.source()), ImageDataset.Skipped::reason));
    assertEquals(
        "ignored: a symbolic link to nowhere.png, which does not exist; restore its target or"
            + " remove the link",
        reasons.get("cat/gone.png"));
    assertTrue(
        reasons.get("dog").contains("/no/such/folder, which does not exist"), reasons.toString());
  }

  static BufferedImage solid(int width, int height, int rgb, int type) {
    BufferedImage image = new BufferedImage(width, height, type);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        if (type == BufferedImage.TYPE_BYTE_GRAY) {
          image.getRaster().setSample(x, y, 0, rgb & 0xff); // raw grey value, no colour management
        } else {
          image.setRGB(x, y, rgb);
        }
      }
    }
    return image;
  }

  static void write(Path root, String relative, BufferedImage image, String format)
      throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.write(file, encode(image, format));
  }

  private static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, format, out), "no ImageIO writer for " + format);
    return out.toByteArray();
  }

  private static String relative(Path root, String source) {
    String prefix = root.toUri().getPath();
    String path = source.startsWith("file:") ? source.substring("file:".length()) : source;
    return path.substring(path.indexOf(prefix) + prefix.length());
  }

  private static void assertUniform(byte[] image, int value, int tolerance) {
    for (int i = 0; i < image.length; i++) {
      int v = image[i] & 0xff;
      assertTrue(
          Math.abs(v - value) <= tolerance, "pixel " + i + " is " + v + ", expected " + value);
    }
  }
}
