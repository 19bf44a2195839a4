package org.ddoq.core.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkThrowable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Reads a table of encoded images in the layout of Hugging Face image data sets: a struct column
 * {@code image} with {@code bytes} (an encoded PNG/JPEG; a plain binary {@code image} column is
 * taken too) and {@code path} (string, may be null), an integer {@code label}, in one or more
 * Parquet files on any Hadoop file system. Where the files are: {@link ParquetLayout}; where the
 * class names come from: {@link ParquetClassNames}.
 *
 * <p>The driver lists the files and reads one footer; executors read the rows with Spark's own
 * Parquet source and decode them to the target shape (without a target: the shape of the first
 * decodable image, grey or RGB, as {@link ImageFolderReader} does). A row's id is {@code (index of
 * its file in name order) << 40 | (its row number in the file)}, from Spark's hidden {@code
 * _metadata} columns, so ids do not depend on how Spark splits the files into tasks. Its source is
 * {@code file#row}, followed by {@code (image.path)} when the row has one. Decoded rows are
 * persisted (MEMORY_AND_DISK), as the folder reader's.
 *
 * <p>Skipped, with the reason: rows whose bytes are null or do not decode, rows without a label or
 * with a negative one ({@code -1} is Hugging Face's "no label"), rows without a {@code class_name}
 * when that column names the classes. Refused with {@link InputException}: no Parquet files where
 * the layout says, no {@code image} or {@code label} column, a label that the class names do not
 * cover (naming the file and row), and a class without any decodable image.
 */
public final class ParquetImageReader {
  // Rows per file tried on the driver for the first image's shape.
  private static final int SHAPE_PROBE_ROWS = 64;

  private ParquetImageReader() {}

  /**
   * Reads one split.
   *
   * @param dir the directory holding the table, any Hadoop path (local, hdfs://, s3a://)
   * @param split "train" or "test"
   * @param targetOrNull the shape to convert every image to, or null to take the first image's
   * @throws InputException for a missing directory or split, a table without image or label
   *     columns, a label the class names do not cover, or a class without a decodable image
   */
  public static ImageDataset read(
      SparkSession spark, String dir, String split, ImageShape targetOrNull) {
    try {
      Configuration conf = spark.sparkContext().hadoopConfiguration();
      Path root = new Path(dir);
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        throw new InputException(
            "input path " + dir + " does not exist; check the path and that it is readable");
      }
      if (!fs.isDirectory(root)) {
        throw new InputException(
            dir
                + " is a file; give the directory that holds the Parquet files ("
                + ParquetLayout.expected(root, split)
                + ")");
      }
      List<Path> files = ParquetLayout.find(fs, root, split);
      if (files.isEmpty()) {
        throw new InputException(
            dir
                + " has no Parquet files of the "
                + split
                + " split; expected "
                + ParquetLayout.expected(root, split));
      }
      ParquetClassNames.Declared declared = ParquetClassNames.declared(fs, conf, root, files);
      String table =
          dir
              + " ("
              + split
              + " split, "
              + (files.size() == 1 ? "1 Parquet file)" : files.size() + " Parquet files)");
      Columns columns = Columns.of(spark, files, declared == null, table);
      ImageShape shape =
          targetOrNull != null ? targetOrNull : firstImageShape(spark, files, columns);
      return decodeAll(spark, files, columns, declared, shape, table);
    } catch (IOException e) {
      throw StorageErrors.explain(dir, "reading Parquet files", e);
    } catch (Exception e) {
      // Spark's jobs throw SparkException, checked but undeclared: only this catch sees it.
      InputException unreadable = unreadableFile(e);
      if (unreadable != null) {
        throw unreadable;
      }
      throw e;
    }
  }

  /**
   * Spark's failure to read one of the files (after its task retries: not a passing glitch) as what
   * to do about it; null for any other failure.
   */
  private static InputException unreadableFile(Exception e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof SparkThrowable t
          && String.valueOf(t.getCondition()).startsWith("FAILED_READ_FILE")) {
        Throwable root = c;
        while (root.getCause() != null) {
          root = root.getCause();
        }
        return new InputException(
            "could not read "
                + t.getMessageParameters().get("path")
                + " ("
                + root.getClass().getSimpleName()
                + ": "
                + root.getMessage()
                + "); if the file is damaged, copy it again or remove it",
            e);
      }
    }
    return null;
  }

  /** True when {@code dir} holds Parquet files in one of the layouts: auto-detection's test. */
  public static boolean holdsParquet(FileSystem fs, Path dir) throws IOException {
    return ParquetLayout.holdsParquet(fs, dir);
  }

  /** The table's columns that hold the image bytes, its path, and the class name (or nulls). */
  private record Columns(Column bytes, Column path, Column className) {
    static Columns of(SparkSession spark, List<Path> files, boolean wantClassName, String table) {
      StructType schema = read(spark, files).schema();
      String expected =
          "; expected a struct column image<bytes: binary, path: string> (Hugging Face's Image"
              + " feature) and an integer column label";
      Column bytes;
      Column path = lit(null).cast(DataTypes.StringType);
      DataType image = type(schema, "image");
      if (image instanceof BinaryType) {
        bytes = col("image");
      } else if (image instanceof StructType struct
          && type(struct, "bytes") instanceof BinaryType) {
        bytes = col("image.bytes");
        if (DataTypes.StringType.equals(type(struct, "path"))) {
          path = col("image.path");
        }
      } else {
        throw new InputException(
            table
                + (image == null
                    ? " has no column 'image'"
                    : " has an 'image' column of type " + image.simpleString())
                + " (columns: "
                + String.join(", ", schema.fieldNames())
                + ")"
                + expected);
      }
      DataType label = type(schema, "label");
      if (!(DataTypes.IntegerType.equals(label)
          || DataTypes.LongType.equals(label)
          || DataTypes.ShortType.equals(label)
          || DataTypes.ByteType.equals(label))) {
        throw new InputException(
            table
                + (label == null
                    ? " has no column 'label'"
                    : " has a 'label' column of type " + label.simpleString())
                + " (columns: "
                + String.join(", ", schema.fieldNames())
                + ")"
                + expected);
      }
      Column className =
          wantClassName && DataTypes.StringType.equals(type(schema, "class_name"))
              ? col("class_name")
              : null;
      return new Columns(bytes, path, className);
    }

    private static DataType type(StructType struct, String name) {
      for (StructField f : struct.fields()) {
        if (f.name().equals(name)) {
          return f.dataType();
        }
      }
      return null;
    }
  }

  private static Dataset<Row> read(SparkSession spark, List<Path> files) {
    return spark.read().parquet(files.stream().map(Path::toString).toArray(String[]::new));
  }

  /** The shape of the first decodable image, trying the first rows of each file in order. */
  private static ImageShape firstImageShape(SparkSession spark, List<Path> files, Columns columns) {
    String why = null;
    for (Path file : files) {
      List<Row> rows =
          new ArrayList<>(
              read(spark, List.of(file))
                  .select(columns.bytes(), col("_metadata.row_index"))
                  .limit(SHAPE_PROBE_ROWS)
                  .collectAsList());
      rows.sort(Comparator.comparingLong(r -> r.getLong(1)));
      for (Row r : rows) {
        String[] problem = new String[1];
        var image =
            r.isNullAt(0)
                ? null
                : ImageDecoding.decode(
                    (byte[]) r.get(0),
                    problem,
                    ImageLimits.maxPixels(spark.sparkContext().hadoopConfiguration()));
        if (image != null) {
          return Pixels.nativeShape(image);
        }
        if (why == null) {
          why =
              file
                  + "#"
                  + r.getLong(1)
                  + ": "
                  + (problem[0] == null ? ParquetRowDecoder.NULL_BYTES : problem[0]);
        }
      }
    }
    throw new InputException(
        "no image among the first "
            + SHAPE_PROBE_ROWS
            + " rows of each of the "
            + files.size()
            + " Parquet files decodes"
            + (why == null ? ": they hold no rows" : ", e.g. " + why));
  }

  private static ImageDataset decodeAll(
      SparkSession spark,
      List<Path> files,
      Columns columns,
      ParquetClassNames.Declared declared,
      ImageShape shape,
      String table) {
    Map<String, Integer> fileIndex = new HashMap<>();
    for (int i = 0; i < files.size(); i++) {
      // File names are unique: every layout rule takes the files of one directory.
      fileIndex.put(files.get(i).getName(), i);
    }
    String[] paths = files.stream().map(Path::toString).toArray(String[]::new);
    ParquetRowDecoder decoder =
        new ParquetRowDecoder(
            fileIndex,
            paths,
            declared == null ? null : declared.names().toArray(new String[0]),
            declared == null ? null : declared.origin(),
            columns.className() != null,
            shape,
            ImageLimits.maxPixels(spark.sparkContext().hadoopConfiguration()));
    JavaRDD<Row> decoded =
        read(spark, files)
            .select(
                columns.bytes(),
                columns.path(),
                col("label").cast(DataTypes.LongType),
                columns.className() == null
                    ? lit(null).cast(DataTypes.StringType)
                    : columns.className(),
                col("_metadata.file_name"),
                col("_metadata.row_index"))
            .javaRDD()
            .map(decoder::decode)
            .persist(StorageLevel.MEMORY_AND_DISK());
    decoded.setName("decoded images of " + table);
    try {
      refuseUncoveredLabels(decoded);
      List<ImageDataset.Skipped> skipped =
          decoded
              .filter(r -> !r.isNullAt(ParquetRowDecoder.PROBLEM))
              .map(r -> new ImageDataset.Skipped(r.getString(3), r.getString(5)))
              .collect();
      Map<Integer, Set<String>> labelNames = new TreeMap<>();
      for (Tuple2<Integer, String> pair :
          decoded
              .filter(r -> r.isNullAt(ParquetRowDecoder.PROBLEM))
              .map(r -> new Tuple2<>(r.getInt(1), r.getString(2)))
              .distinct()
              .collect()) {
        labelNames.computeIfAbsent(pair._1(), l -> new TreeSet<>()).add(pair._2());
      }
      if (labelNames.isEmpty()) {
        throw new InputException(
            "no row of " + table + " holds a labelled image that decodes" + examples(skipped));
      }
      List<String> classNames =
          declared != null
              ? checkEveryClassHasImages(declared, labelNames, skipped, table)
              : ParquetClassNames.fromRows(labelNames, columns.className() != null, table);
      JavaRDD<Row> rows =
          decoded.filter(r -> r.isNullAt(ParquetRowDecoder.PROBLEM)).map(ParquetRowDecoder::image);
      return new ImageDataset(
          spark.createDataFrame(rows, ImageRows.SCHEMA),
          shape,
          classNames,
          List.copyOf(skipped),
          "parquet");
    } catch (Exception e) {
      decoded.unpersist(false);
      throw e;
    }
  }

  /** A label the declared names do not cover means the names or the labels are wrong: refuse. */
  private static void refuseUncoveredLabels(JavaRDD<Row> decoded) {
    JavaRDD<Row> uncovered = decoded.filter(r -> r.getBoolean(ParquetRowDecoder.UNCOVERED));
    List<Row> first = uncovered.take(1);
    if (!first.isEmpty()) {
      long count = uncovered.count();
      throw new InputException(
          first.get(0).getString(3)
              + ": "
              + first.get(0).getString(ParquetRowDecoder.PROBLEM)
              + (count > 1 ? " (" + count + " rows have such labels)" : ""));
    }
  }

  private static List<String> checkEveryClassHasImages(
      ParquetClassNames.Declared declared,
      Map<Integer, Set<String>> labelNames,
      List<ImageDataset.Skipped> skipped,
      String table) {
    List<String> empty = new ArrayList<>();
    for (int label = 0; label < declared.names().size(); label++) {
      if (!labelNames.containsKey(label)) {
        empty.add("'" + declared.names().get(label) + "' (label " + label + ")");
      }
    }
    if (!empty.isEmpty()) {
      throw new InputException(
          "no image of class "
              + ParquetClassNames.listed(empty)
              + " in "
              + table
              + " could be decoded"
              + examples(skipped)
              + "; add images of it, or take it out of the class names"
              + " in "
              + declared.origin()
              + " (an empty class cannot be distilled)");
    }
    return declared.names();
  }

  /** " (N rows skipped, e.g. SOURCE: REASON)", or nothing when none was skipped. */
  private static String examples(List<ImageDataset.Skipped> skipped) {
    return skipped.isEmpty()
        ? ""
        : " ("
            + skipped.size()
            + " rows skipped, e.g. "
            + skipped.get(0).source()
            + ": "
            + skipped.get(0).reason()
            + ")";
  }
}
