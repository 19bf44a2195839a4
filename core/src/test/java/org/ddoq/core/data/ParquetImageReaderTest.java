package org.ddoq.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ddoq.core.TestSpark;
import org.ddoq.core.prior.TestIdx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ParquetImageReader on real Fashion-MNIST images encoded as PNG, in tables written as Hugging
 * Face's {@code datasets} writes them (parquet-hadoop, names in the footer) and as Spark writes
 * them (with a classes.json or a class_name column).
 */
class ParquetImageReaderTest {
  private static final ImageShape FASHION = new ImageShape(1, 28, 28);
  private static final List<String> NAMES = IdxReader.FASHION_MNIST_CLASSES;
  private static SparkSession spark;
  private static byte[][] pixels;
  private static int[] labels;

  @BeforeAll
  static void setUp() throws IOException {
    spark = TestSpark.start("ddoq-parquet-tests");
    pixels = TestIdx.images("train-images-idx3-ubyte.gz", 300);
    labels = TestIdx.labels("train-labels-idx1-ubyte.gz", 300);
  }

  @AfterAll
  static void tearDown() {
    TestSpark.stop();
  }

  @Test
  void hubLayoutGivesTheSourceImagesLabelsAndTheFooterClassNames(@TempDir Path dir)
      throws IOException {
    HfParquet.writeHub(dir, HfParquet.fashion(300), 2, NAMES);
    ImageDataset data = ImageSources.read(spark, dir.toString(), "auto", "train", null);
    assertEquals("parquet", data.format());
    assertEquals(FASHION, data.shape(), "the first image's shape");
    assertEquals(NAMES, data.classNames());
    assertTrue(data.skipped().isEmpty(), data.skipped().toString());
    List<Row> rows = data.rows().orderBy(ImageRows.ID).collectAsList();
    assertEquals(300, rows.size());
    for (int i = 0; i < 300; i++) {
      Row r = rows.get(i);
      int file = i / 150;
      int row = i % 150;
      assertEquals(((long) file << 40) | row, r.getLong(0), "id of image " + i);
      assertEquals(labels[i], r.getInt(1));
      assertEquals(NAMES.get(labels[i]), r.getString(2));
      assertTrue(
          r.getString(3)
              .endsWith(
                  "data/train-0000" + file + "-of-00002.parquet#" + row + " (train/" + i + ".png)"),
          r.getString(3));
      assertArrayEquals(pixels[i], (byte[]) r.get(4), "PNG is lossless: image " + i);
    }
  }

  /**
   * Written by Hugging Face's datasets 5.0.1 ({@code core/src/test/python/hf_fashion_parquet.py}).
   */
  @Test
  void aTableWrittenByHuggingFaceDatasetsGivesBackItsImagesAndNames() throws Exception {
    String dir =
        Path.of(ParquetImageReaderTest.class.getResource("hf-fashion-mnist").toURI()).toString();
    ImageDataset train = ImageSources.read(spark, dir, "auto", "train", null);
    assertEquals("parquet", train.format());
    assertEquals(NAMES, train.classNames());
    assertEquals(FASHION, train.shape());
    ImageDataset test = ImageSources.read(spark, dir, "auto", "test", train.shape());
    for (String split : List.of("train", "test")) {
      String prefix = split.equals("train") ? "train" : "t10k";
      byte[][] source = TestIdx.images(prefix + "-images-idx3-ubyte.gz", 30);
      int[] sourceLabels = TestIdx.labels(prefix + "-labels-idx1-ubyte.gz", 30);
      List<Row> rows =
          (split.equals("train") ? train : test).rows().orderBy(ImageRows.ID).collectAsList();
      assertEquals(30, rows.size());
      for (int i = 0; i < 30; i++) {
        Row r = rows.get(i);
        assertEquals(i, r.getLong(0));
        assertEquals(sourceLabels[i], r.getInt(1));
        assertTrue(
            r.getString(3).endsWith("data/" + split + "-00000-of-00001.parquet#" + i),
            r.getString(3));
        assertArrayEquals(source[i], (byte[]) r.get(4), split + " image " + i);
      }
    }
  }

  @Test
  void sparkWrittenSplitsTakeTheirNamesFromClassesJson(@TempDir Path dir) throws IOException {
    writeWithSpark(dir.resolve("train"), 0, 200, 3, false);
    writeWithSpark(dir.resolve("test"), 200, 300, 1, false);
    Files.writeString(
        dir.resolve("classes.json"),
        new com.fasterxml.jackson.databind.ObjectMapper()
            .writeValueAsString(Map.of("names", NAMES)));
    ImageDataset train = ImageSources.read(spark, dir.toString(), "parquet", "train", null);
    assertEquals(NAMES, train.classNames());
    assertSameAsSource(train, 0, 200);
    ImageShape rgb = new ImageShape(3, 14, 14);
    ImageDataset test = ImageSources.read(spark, dir.toString(), "auto", "test", rgb);
    assertEquals("parquet", test.format());
    assertEquals(100, test.rows().count());
    assertEquals(rgb, test.shape());
    assertEquals(3 * 14 * 14, ((byte[]) test.rows().first().get(4)).length);
  }

  @Test
  void idsDoNotDependOnHowSparkSplitsTheFiles(@TempDir Path dir) throws IOException {
    HfParquet.writeHub(dir, HfParquet.fashion(300), 2, NAMES);
    ImageDataset whole = ParquetImageReader.read(spark, dir.toString(), "train", FASHION);
    ImageDataset split;
    spark.conf().set("spark.sql.files.maxPartitionBytes", "16k");
    try {
      split = ParquetImageReader.read(spark, dir.toString(), "train", FASHION);
    } finally {
      spark.conf().unset("spark.sql.files.maxPartitionBytes");
    }
    int wholeParts = whole.rows().rdd().getNumPartitions();
    int splitParts = split.rows().rdd().getNumPartitions();
    assertTrue(
        splitParts > wholeParts,
        "16 KB splits cut the files' 100-row row groups apart: "
            + splitParts
            + " vs "
            + wholeParts
            + " partitions");
    assertEquals(byId(whole), byId(split));
  }

  @Test
  void corruptOrMissingBytesAndUnlabelledRowsAreSkippedNamingFileAndRow(@TempDir Path dir)
      throws IOException {
    List<HfParquet.Image> rows = new ArrayList<>(HfParquet.fashion(60));
    byte[] corrupt = rows.get(7).bytes.clone();
    // Keep the PNG signature and IHDR chunk (33 bytes), scramble the image data after them.
    for (int i = 33; i < corrupt.length; i++) {
      corrupt[i] = (byte) (i * 31);
    }
    rows.set(7, new HfParquet.Image(corrupt, "train/7.png", (long) labels[7]));
    rows.set(9, new HfParquet.Image(null, "train/9.png", (long) labels[9]));
    rows.set(11, new HfParquet.Image(rows.get(11).bytes, null, null));
    rows.set(12, new HfParquet.Image(rows.get(12).bytes, "train/12.png", -1L));
    Path file = Files.createDirectories(dir.resolve("train")).resolve("part-0.parquet");
    HfParquet.write(file, rows, Map.of("huggingface", HfParquet.metadata(NAMES)), 100);
    ImageDataset data = ParquetImageReader.read(spark, dir.toString(), "train", null);
    Map<String, String> reasons =
        data.skipped().stream()
            .collect(
                Collectors.toMap(
                    s -> s.source().substring(s.source().indexOf("part-0.parquet")),
                    ImageDataset.Skipped::reason));
    assertEquals(4, reasons.size(), reasons.toString());
    assertTrue(
        reasons.get("part-0.parquet#7 (train/7.png)").startsWith("corrupt or truncated image"),
        reasons.toString());
    assertTrue(
        reasons.get("part-0.parquet#9 (train/9.png)").startsWith("no encoded image"),
        reasons.toString());
    assertTrue(reasons.get("part-0.parquet#11").startsWith("no label"), reasons.toString());
    assertTrue(
        reasons.get("part-0.parquet#12 (train/12.png)").startsWith("label -1 names no class"),
        reasons.toString());
    List<Row> read = data.rows().orderBy(ImageRows.ID).collectAsList();
    List<Long> expectedIds =
        IntStream.range(0, 60)
            .filter(i -> i != 7 && i != 9 && i != 11 && i != 12)
            .mapToObj(i -> (long) i)
            .toList();
    assertEquals(expectedIds, read.stream().map(r -> r.getLong(0)).toList());
    for (Row r : read) {
      assertArrayEquals(pixels[(int) r.getLong(0)], (byte[]) r.get(4));
    }

    // What datasets writes for images loaded from files and never embedded: paths, no bytes.
    Path paths = dir.resolve("paths");
    HfParquet.write(
        Files.createDirectories(paths.resolve("train")).resolve("0.parquet"),
        List.of(new HfParquet.Image(null, "/home/me/cat.png", 0L)),
        Map.of(),
        100);
    InputException e =
        assertThrows(
            InputException.class,
            () -> ParquetImageReader.read(spark, paths.toString(), "train", null));
    assertTrue(e.getMessage().contains("0.parquet#0: no encoded image"), e.getMessage());
    assertTrue(e.getMessage().contains("holds only their paths until embedded"), e.getMessage());
  }

  @Test
  void aLabelPastTheClassNamesIsRefusedNamingFileAndRow(@TempDir Path dir) throws IOException {
    List<HfParquet.Image> rows = new ArrayList<>(HfParquet.fashion(60));
    rows.set(5, new HfParquet.Image(rows.get(5).bytes, "train/5.png", 12L));
    HfParquet.write(
        Files.createDirectories(dir.resolve("data")).resolve("train-00000-of-00001.parquet"),
        rows,
        Map.of(),
        100);
    Files.writeString(
        dir.resolve("classes.json"),
        new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(NAMES));
    InputException e =
        assertThrows(
            InputException.class,
            () -> ParquetImageReader.read(spark, dir.toString(), "train", FASHION));
    assertTrue(
        e.getMessage().contains("train-00000-of-00001.parquet#5 (train/5.png): label 12 is out of"),
        e.getMessage());
    assertTrue(
        e.getMessage().contains(dir.resolve("classes.json") + " names 10 classes (labels 0..9)"),
        e.getMessage());
    assertTrue(e.getMessage().contains("correct the labels or the class names"), e.getMessage());
  }

  @Test
  void aDamagedFileIsNamedWithWhatToDo(@TempDir Path dir) throws IOException {
    HfParquet.writeHub(dir, HfParquet.fashion(100), 2, NAMES);
    // As a broken copy leaves it: cut in half, and no checksum file beside it to catch that.
    Path second = dir.resolve("data/train-00001-of-00002.parquet");
    byte[] whole = Files.readAllBytes(second);
    Files.write(second, Arrays.copyOf(whole, whole.length / 2));
    Files.delete(dir.resolve("data/.train-00001-of-00002.parquet.crc"));
    InputException e =
        assertThrows(
            InputException.class,
            () -> ParquetImageReader.read(spark, dir.toString(), "train", FASHION));
    assertTrue(e.getMessage().startsWith("could not read "), e.getMessage());
    assertTrue(
        e.getMessage().contains("train-00001-of-00002.parquet (RuntimeException: "),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("copy it again or remove it"), e.getMessage());
  }

  @Test
  void aNamedClassWithoutImagesIsRefused(@TempDir Path dir) throws IOException {
    List<String> eleven = new ArrayList<>(NAMES);
    eleven.add("Scarf");
    HfParquet.writeHub(dir, HfParquet.fashion(60), 1, eleven);
    InputException e =
        assertThrows(
            InputException.class,
            () -> ParquetImageReader.read(spark, dir.toString(), "train", FASHION));
    assertTrue(e.getMessage().startsWith("no image of class 'Scarf' (label 10)"), e.getMessage());
    assertTrue(e.getMessage().contains("'huggingface' metadata in the footer"), e.getMessage());
  }

  @Test
  void withoutDeclaredNamesTheClassNameColumnOrTheLabelsNameTheClasses(@TempDir Path tmp)
      throws IOException {
    Path numbered = tmp.resolve("numbered");
    writeWithSpark(numbered.resolve("train"), 0, 100, 2, false);
    ImageDataset byLabel = ParquetImageReader.read(spark, numbered.toString(), "train", null);
    assertEquals(IntStream.range(0, 10).mapToObj(Integer::toString).toList(), byLabel.classNames());
    assertEquals("7", byLabel.rows().filter("label = 7").first().getString(2));

    Path named = tmp.resolve("named");
    writeWithSpark(named.resolve("train"), 0, 100, 2, true);
    ImageDataset byColumn = ParquetImageReader.read(spark, named.toString(), "train", null);
    assertEquals(NAMES, byColumn.classNames());
    assertSameAsSource(byColumn, 0, 100);
  }

  @Test
  void aMissingDirectoryOrSplitOrColumnIsRefusedSayingWhatIsExpected(@TempDir Path dir)
      throws IOException {
    String missing = dir.resolve("nope").toString();
    InputException none =
        assertThrows(
            InputException.class,
            () -> ImageSources.read(spark, missing, "parquet", "train", null));
    assertTrue(none.getMessage().contains(missing + " does not exist"), none.getMessage());

    Files.writeString(dir.resolve("notes.txt"), "no tables here");
    InputException empty =
        assertThrows(
            InputException.class,
            () -> ImageSources.read(spark, dir.toString(), "parquet", "train", null));
    assertEquals(
        dir
            + " has no Parquet files of the train split; expected "
            + dir
            + "/train/*.parquet, "
            + dir
            + "/data/train-*.parquet (the Hugging Face hub layout) or "
            + dir
            + "/train-*.parquet, or "
            + dir
            + "/*.parquet",
        empty.getMessage());

    HfParquet.writeHub(dir, HfParquet.fashion(20), 1, NAMES);
    InputException noTest =
        assertThrows(
            InputException.class,
            () -> ImageSources.read(spark, dir.toString(), "auto", "test", null));
    assertTrue(
        noTest.getMessage().startsWith(dir + " has no Parquet files of the test split"),
        noTest.getMessage());

    Path other = dir.resolve("other");
    spark
        .range(5)
        .selectExpr("id AS label", "CAST(id AS STRING) AS picture")
        .write()
        .parquet(other.resolve("train").toString());
    InputException noImage =
        assertThrows(
            InputException.class,
            () -> ParquetImageReader.read(spark, other.toString(), "train", null));
    assertTrue(noImage.getMessage().contains("has no column 'image'"), noImage.getMessage());
    assertTrue(
        noImage
            .getMessage()
            .contains("expected a struct column image<bytes: binary, path: string>"),
        noImage.getMessage());
  }

  /**
   * Writes source images [from, to) with Spark in {@code files} files: image struct, int label, and
   * a class_name column when {@code withClassName}.
   */
  private static void writeWithSpark(Path out, int from, int to, int files, boolean withClassName)
      throws IOException {
    StructType image =
        new StructType().add("bytes", DataTypes.BinaryType).add("path", DataTypes.StringType);
    StructType schema = new StructType().add("image", image).add("label", DataTypes.IntegerType);
    if (withClassName) {
      schema = schema.add("class_name", DataTypes.StringType);
    }
    List<Row> rows = new ArrayList<>();
    for (int i = from; i < to; i++) {
      Row img = RowFactory.create(HfParquet.png(pixels[i], 28, 28), "img/" + i + ".png");
      rows.add(
          withClassName
              ? RowFactory.create(img, labels[i], NAMES.get(labels[i]))
              : RowFactory.create(img, labels[i]));
    }
    spark.createDataFrame(rows, schema).repartition(files).write().parquet(out.toString());
  }

  /** Every source image [from, to) read once, with its pixels, label and class name. */
  private static void assertSameAsSource(ImageDataset data, int from, int to) {
    List<Row> rows = data.rows().collectAsList();
    assertEquals(to - from, rows.size());
    boolean[] seen = new boolean[to];
    for (Row r : rows) {
      String source = r.getString(3);
      int i =
          Integer.parseInt(source.substring(source.indexOf("(img/") + 5, source.indexOf(".png)")));
      assertTrue(i >= from && i < to && !seen[i], source);
      seen[i] = true;
      assertEquals(labels[i], r.getInt(1), source);
      assertEquals(data.classNames().get(labels[i]), r.getString(2), source);
      assertArrayEquals(pixels[i], (byte[]) r.get(4), source);
    }
  }

  /** Each row's label, source and pixels by id. */
  private static Map<Long, String> byId(ImageDataset data) {
    Map<Long, String> out = new TreeMap<>();
    for (Row r : data.rows().collectAsList()) {
      out.put(
          r.getLong(0),
          r.getInt(1) + " " + r.getString(3) + " " + Arrays.hashCode((byte[]) r.get(4)));
    }
    assertNotEquals(0, out.size());
    return out;
  }
}
