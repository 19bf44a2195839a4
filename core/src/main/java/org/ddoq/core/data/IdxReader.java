package org.ddoq.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Reads MNIST-layout IDX files ({@code train-images-idx3-ubyte[.gz]} + {@code
 * train-labels-idx1-ubyte[.gz]}, {@code t10k-...} for the test split) from any Hadoop file system.
 *
 * <p>The driver reads only the headers and the labels file (one byte per image); executors read
 * their own index range of the images file (seeking in plain files, decompressing forward in gzip
 * files). Row ids are the index in the file, sources are {@code "<images file>#<index>"}.
 *
 * <p>Class names, first rule that applies:
 *
 * <ol>
 *   <li>a {@code classes.txt} beside the files: one name per line, line i names label i (blank
 *       lines ignored);
 *   <li>the directory or its parent has "fashion" or "fmnist" in its name (e.g. {@code
 *       fashion-mnist/}, torchvision's {@code FashionMNIST/raw/}): the ten Fashion-MNIST names;
 *   <li>otherwise digits: "0".."9" (or up to the largest label when it exceeds 9).
 * </ol>
 */
public final class IdxReader {
  /** Fashion-MNIST's class names, label 0 to 9. */
  public static final List<String> FASHION_MNIST_CLASSES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  /** File beside the IDX files that names the classes, one per line. */
  public static final String CLASSES_FILE = "classes.txt";

  // Bytes of pixels per Spark task: a few MB keeps tasks short; gzip slices also re-decompress
  // their prefix.
  private static final long SLICE_BYTES = 16L << 20;

  private IdxReader() {}

  /**
   * Reads one split.
   *
   * @param dir directory holding the IDX files (any Hadoop path: local, hdfs://, s3a://)
   * @param split "train" (files {@code train-*}) or "test" (files {@code t10k-*})
   * @param targetOrNull shape to convert every image to, or null to keep 1 x rows x cols
   * @throws InputException when a file is missing, is not IDX, is truncated, or images and labels
   *     disagree
   */
  public static ImageDataset read(
      SparkSession spark, String dir, String split, ImageShape targetOrNull) {
    String prefix =
        switch (split) {
          case "train" -> "train";
          case "test" -> "t10k";
          default ->
              throw new InputException("split must be 'train' or 'test', got '" + split + "'");
        };
    try {
      Path root = new Path(dir);
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(root)) {
        throw new InputException(
            "input path " + dir + " does not exist; check the path and that it is readable");
      }
      Path imagesPath = IdxFiles.find(fs, root, prefix, "images", 3);
      Path labelsPath = IdxFiles.find(fs, root, prefix, "labels", 1);
      IdxFiles.Images images = IdxFiles.readImagesHeader(fs, imagesPath);
      byte[] labels = IdxFiles.readLabels(fs, labelsPath);
      if (labels.length != images.count()) {
        throw new InputException(
            imagesPath
                + " holds "
                + images.count()
                + " images but "
                + labelsPath
                + " holds "
                + labels.length
                + " labels; use the images and labels files of the same split");
      }
      IdxFiles.checkImagesLength(fs, images);
      List<String> classNames = classNames(fs, root, labels, labelsPath);
      ImageShape nativeShape = new ImageShape(1, images.height(), images.width());
      ImageShape shape = targetOrNull == null ? nativeShape : targetOrNull;
      JavaRDD<Row> rows = rows(spark, images, labels, classNames, shape);
      return new ImageDataset(
          spark.createDataFrame(rows, ImageRows.SCHEMA), shape, classNames, List.of(), "idx");
    } catch (IOException e) {
      throw StorageErrors.explain(dir, "reading IDX files", e);
    }
  }

  /**
   * True when {@code dir} holds a file named like an IDX file ({@code *-idx3-ubyte}, {@code
   * *.idx1-ubyte.gz}, ...).
   */
  public static boolean hasIdxFiles(FileSystem fs, Path dir) throws IOException {
    if (!fs.isDirectory(dir)) {
      return false;
    }
    for (FileStatus status : fs.listStatus(dir)) {
      if (status.isFile() && status.getPath().getName().matches(".*[-.]idx\\d-ubyte(\\.gz)?")) {
        return true;
      }
    }
    return false;
  }

  private static JavaRDD<Row> rows(
      SparkSession spark,
      IdxFiles.Images images,
      byte[] labels,
      List<String> classNames,
      ImageShape shape) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    long bySize = (images.dataBytes() + SLICE_BYTES - 1) / SLICE_BYTES;
    int numSlices =
        (int) Math.max(1, Math.min(images.count(), Math.max(jsc.defaultParallelism(), bySize)));
    List<Slice> slices = new ArrayList<>(numSlices);
    for (int s = 0; s < numSlices; s++) {
      int start = (int) ((long) images.count() * s / numSlices);
      int end = (int) ((long) images.count() * (s + 1) / numSlices);
      slices.add(new Slice(start, Arrays.copyOfRange(labels, start, end)));
    }
    SerializableConfiguration conf =
        new SerializableConfiguration(spark.sparkContext().hadoopConfiguration());
    String[] names = classNames.toArray(new String[0]);
    // One slice per partition, so each task opens the images file once and reads one contiguous
    // range.
    return jsc.parallelize(slices, numSlices)
        .mapPartitions(
            it -> {
              Slice slice = it.next();
              return new IdxSliceIterator(
                  conf.value(), images, slice.start(), slice.labels(), names, shape);
            });
  }

  private static List<String> classNames(FileSystem fs, Path dir, byte[] labels, Path labelsPath)
      throws IOException {
    int maxLabel = 0;
    for (byte b : labels) {
      maxLabel = Math.max(maxLabel, b & 0xff);
    }
    Path classesFile = new Path(dir, CLASSES_FILE);
    if (fs.isFile(classesFile)) {
      List<String> names = new ArrayList<>();
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(fs.open(classesFile), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          if (!line.isBlank()) {
            names.add(line.strip());
          }
        }
      }
      if (names.size() <= maxLabel) {
        throw new InputException(
            classesFile
                + " names "
                + names.size()
                + " classes but "
                + labelsPath
                + " has label "
                + maxLabel
                + "; write one class name per line, line i naming label i");
      }
      return List.copyOf(names);
    }
    if (looksLikeFashion(dir) && maxLabel < FASHION_MNIST_CLASSES.size()) {
      return FASHION_MNIST_CLASSES;
    }
    List<String> digits = new ArrayList<>();
    for (int i = 0; i <= Math.max(9, maxLabel); i++) {
      digits.add(Integer.toString(i));
    }
    return List.copyOf(digits);
  }

  private static boolean looksLikeFashion(Path dir) {
    Path parent = dir.getParent();
    return isFashionName(dir.getName()) || (parent != null && isFashionName(parent.getName()));
  }

  private static boolean isFashionName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.contains("fashion") || lower.contains("fmnist");
  }

  /** A task's share: images [start, start + labels.length). */
  private record Slice(int start, byte[] labels) implements Serializable {}
}
