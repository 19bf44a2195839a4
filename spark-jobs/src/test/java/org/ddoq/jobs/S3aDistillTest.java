package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.HfParquet;
import org.ddoq.core.data.IdxReader;
import org.ddoq.core.data.ImageDataset;
import org.ddoq.core.data.ImageRows;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.ImageSources;
import org.ddoq.core.prior.TestIdx;
import org.ddoq.core.prior.VaeTraining;
import org.ddoq.core.prior.VaeTrainingConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code distill} reading its input from and writing its output to {@code s3a://} on a real S3
 * server (s3proxy on loopback): the whole output contract on S3 with {@code _SUCCESS} last, the
 * secret key in no log line and no stored object, an existing output refused without a byte
 * written, and a missing bucket or missing credentials reported as such.
 *
 * <p>The main run is a separate driver JVM with the credentials in {@code AWS_ACCESS_KEY_ID} /
 * {@code AWS_SECRET_ACCESS_KEY} (S3A's default provider chain) and Spark's default INFO logging, so
 * its whole log can be searched for the secret. The other checks run in this JVM with per-bucket
 * {@code spark.hadoop.fs.s3a.bucket.<name>.access.key/secret.key} settings.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3aDistillTest {
  private static final String ACCESS_KEY = "ddoq-test";
  // Unique per run, so finding it anywhere means it leaked from this run.
  private static final String SECRET_KEY = "secret-" + UUID.randomUUID();
  private static final String BUCKET = "ddoq";
  private static final String INPUT = "s3a://" + BUCKET + "/input/fashion-mnist-slice";
  private static final String OUT = "s3a://" + BUCKET + "/out/ipc3";
  private static final List<String> NAMES = IdxReader.FASHION_MNIST_CLASSES;

  static Path root;
  static S3Proxy s3;
  static Path prior;
  static SparkSession spark;

  @BeforeAll
  static void s3AndInput() throws Exception {
    root = Files.createTempDirectory("ddoq-s3a-test");
    s3 = S3Proxy.start(root, ACCESS_KEY, SECRET_KEY);
    s3.createBucket(BUCKET);
    Path slice = FashionSlice.write(root, 600, 0);
    prior = root.resolve("prior");
    VaeTraining.train(
        FashionSlice.images(slice, "train"),
        new byte[0][],
        new ImageShape(1, 28, 28),
        IdxReader.FASHION_MNIST_CLASSES,
        VaeTrainingConfig.defaults().withEpochs(1).withMaxTrainImages(600),
        prior,
        line -> {});

    SparkSession.Builder builder =
        SparkSession.builder()
            .master("local[2]")
            .appName("ddoq-s3a-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            // Only the configured keys count here, whatever this machine's environment holds.
            .config(
                "spark.hadoop.fs.s3a.aws.credentials.provider",
                "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    for (String[] kv : s3.sparkSettings()) {
      builder.config(kv[0], kv[1]);
    }
    for (String bucket :
        List.of(BUCKET, "missing")) { // "missing" has keys but no bucket; "nocreds" has neither
      builder
          .config("spark.hadoop.fs.s3a.bucket." + bucket + ".access.key", ACCESS_KEY)
          .config("spark.hadoop.fs.s3a.bucket." + bucket + ".secret.key", SECRET_KEY);
    }
    builder
        .config("spark.hadoop.fs.s3a.bucket.wrongkey.access.key", ACCESS_KEY)
        .config("spark.hadoop.fs.s3a.bucket.wrongkey.secret.key", "not-the-secret");
    spark = builder.getOrCreate();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    org.apache.hadoop.fs.Path input = new org.apache.hadoop.fs.Path(INPUT);
    FileSystem fs = input.getFileSystem(conf);
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(slice.toUri()), input);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  @Order(1)
  void distillReadsAndWritesS3aAndNeverWritesTheSecret() throws Exception {
    Path log = root.resolve("driver.log");
    Process driver =
        driver(
            log,
            "distill",
            "--master",
            "local[2]",
            "--input",
            INPUT,
            "--prior",
            prior.toString(),
            "--ipc",
            "3",
            "--seed",
            "2",
            "--out",
            OUT);
    assertTrue(driver.waitFor(4, TimeUnit.MINUTES), "distill on s3a did not finish");
    String driverLog = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, driver.exitValue(), driverLog);

    Path out = s3.storage().resolve(BUCKET).resolve("out/ipc3");
    Map<String, Long> written = objects(out);
    assertEquals(
        30,
        written.keySet().stream().filter(k -> k.startsWith("images/")).count(),
        written.toString());
    for (String f : List.of("manifest.csv", "summary.json", "contact_sheet.png", "_SUCCESS")) {
      assertTrue(written.containsKey(f), f + " missing on S3: " + written.keySet());
    }
    List<String> manifest = Files.readAllLines(out.resolve("manifest.csv"), StandardCharsets.UTF_8);
    assertEquals(31, manifest.size());
    manifest
        .subList(1, manifest.size())
        .forEach(
            row ->
                assertTrue(
                    written.containsKey(row.split(",")[0]),
                    "manifest names a missing object: " + row));
    // _SUCCESS is the last object written (the filesystem backend keeps each object's write time).
    long success = written.get("_SUCCESS");
    written.forEach((k, t) -> assertTrue(t <= success, k + " was written after _SUCCESS"));
    assertTrue(
        Files.readString(out.resolve("summary.json")).contains("\"input\" : \"" + INPUT + "\""));

    assertFalse(driverLog.contains(SECRET_KEY), "the secret key is in the driver's log");
    for (Path object : files(s3.storage())) {
      assertFalse(
          new String(Files.readAllBytes(object), StandardCharsets.ISO_8859_1).contains(SECRET_KEY),
          "the secret key is in the stored object " + object);
    }
  }

  @Test
  @Order(2)
  void aRunRefusedForAnExistingOutputWritesNothing() throws IOException {
    Map<String, Long> before = objects(s3.storage());
    CliTestBase.Run r =
        CliTestBase.ddoq(
            "distill", "--input", INPUT, "--prior", prior.toString(), "--ipc", "3", "--out", OUT);
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("output " + OUT + " already exists"), r.err());
    assertEquals(before, objects(s3.storage()), "the refused run changed the bucket");
  }

  @Test
  @Order(3)
  void aMissingBucketMissingOrWrongCredentialsSayWhichAndWhatToDo() {
    Path localOut = root.resolve("never-written");
    CliTestBase.Run noBucket =
        CliTestBase.ddoq(
            "distill",
            "--input",
            "s3a://missing/fashion",
            "--prior",
            prior.toString(),
            "--out",
            localOut.toString());
    assertEquals(2, noBucket.status(), noBucket.err());
    assertTrue(
        noBucket.err().contains("the S3 bucket of s3a://missing/fashion does not exist"),
        noBucket.err());

    CliTestBase.Run noKeys =
        CliTestBase.ddoq(
            "distill", "--input", INPUT, "--prior", prior.toString(), "--out", "s3a://nocreds/out");
    assertEquals(2, noKeys.status(), noKeys.err());
    assertTrue(
        noKeys.err().contains("no S3 credentials for s3a://nocreds/out")
            && noKeys.err().contains("AWS_ACCESS_KEY_ID"),
        noKeys.err());
    CliTestBase.Run wrongKey =
        CliTestBase.ddoq(
            "distill",
            "--input",
            "s3a://wrongkey/fashion",
            "--prior",
            prior.toString(),
            "--out",
            localOut.toString());
    assertEquals(2, wrongKey.status(), wrongKey.err());
    assertTrue(
        wrongKey.err().contains("S3 refused access to s3a://wrongkey/fashion"), wrongKey.err());
    assertFalse(Files.exists(localOut));
    for (CliTestBase.Run r : List.of(noBucket, noKeys, wrongKey)) {
      assertFalse(r.err().contains(SECRET_KEY), "an error message shows the secret: " + r.err());
    }
  }

  /** A Hugging Face image table on S3: listed and footer-read by S3A, rows read by executors. */
  @Test
  @Order(4)
  void aParquetImageTableIsReadFromS3a() throws IOException {
    Path local = HfParquet.writeHub(root.resolve("hf"), HfParquet.fashion(200), 2, NAMES);
    String table = "s3a://" + BUCKET + "/input/hf";
    org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(table);
    remote
        .getFileSystem(spark.sparkContext().hadoopConfiguration())
        .copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), remote);
    ImageDataset data = ImageSources.read(spark, table, "auto", "train", null);
    assertEquals("parquet", data.format());
    assertEquals(NAMES, data.classNames());
    List<Row> rows = data.rows().orderBy(ImageRows.ID).collectAsList();
    assertEquals(200, rows.size());
    byte[][] pixels = TestIdx.images("train-images-idx3-ubyte.gz", 200);
    Row last = rows.get(199);
    assertEquals((1L << 40) | 99, last.getLong(0));
    assertTrue(
        last.getString(3).equals(table + "/data/train-00001-of-00002.parquet#99 (train/199.png)"),
        last.getString(3));
    for (int i = 0; i < 200; i++) {
      assertArrayEquals(pixels[i], (byte[]) rows.get(i).get(4), "image " + i);
    }
  }

  /**
   * {@code ddoq <args>} in its own JVM: main classes and dependencies only, Spark's default INFO
   * logging.
   */
  private static Process driver(Path log, String... args) throws IOException {
    List<String> settings = new ArrayList<>();
    for (String[] kv : s3.sparkSettings()) {
      // What spark-submit --conf does: SparkConf reads spark.* properties.
      settings.add("-D" + kv[0] + "=" + kv[1]);
    }
    ProcessBuilder pb =
        DriverJvm.builder(settings, args).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
    pb.environment().put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    return pb.start();
  }

  /** Objects under a directory of the server's storage: relative path -> last-modified millis. */
  private static Map<String, Long> objects(Path dir) throws IOException {
    Map<String, Long> objects = new TreeMap<>();
    for (Path f : files(dir)) {
      objects.put(dir.relativize(f).toString(), Files.getLastModifiedTime(f).toMillis());
    }
    return objects;
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
