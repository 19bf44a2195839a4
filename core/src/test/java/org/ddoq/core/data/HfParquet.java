package org.ddoq.core.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.ddoq.core.prior.TestIdx;

/**
 * Writes image tables as Hugging Face's {@code datasets} writes them (parquet-hadoop's writer: a
 * struct {@code image<bytes, path>}, an int64 {@code label}, the {@code huggingface} footer key
 * naming the classes, row groups of 100 rows), from real Fashion-MNIST images encoded as PNG.
 */
public final class HfParquet {
  /** Hugging Face's schema for an Image feature and a ClassLabel. */
  public static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message hf { optional group image { optional binary bytes; optional binary path (STRING);"
              + " } optional int64 label; }");

  /** One row; any field may be null. */
  public static final class Image {
    final byte[] bytes;
    final String path;
    final Long label;

    public Image(byte[] bytes, String path, Long label) {
      this.bytes = bytes;
      this.path = path;
      this.label = label;
    }
  }

  private HfParquet() {}

  /** The first {@code n} Fashion-MNIST training images as rows, PNG-encoded, path "train/i.png". */
  public static List<Image> fashion(int n) throws IOException {
    byte[][] images = TestIdx.images("train-images-idx3-ubyte.gz", n);
    int[] labels = TestIdx.labels("train-labels-idx1-ubyte.gz", n);
    List<Image> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(new Image(png(images[i], 28, 28), "train/" + i + ".png", (long) labels[i]));
    }
    return rows;
  }

  /**
   * Writes {@code rows} as {@code dir/data/train-0000i-of-0000k.parquet}, the Hugging Face hub
   * layout, split into {@code files} files of consecutive rows, each naming {@code classNames} in
   * its footer; returns {@code dir}.
   */
  public static Path writeHub(Path dir, List<Image> rows, int files, List<String> classNames)
      throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    for (int f = 0; f < files; f++) {
      String name = String.format("train-%05d-of-%05d.parquet", f, files);
      write(
          data.resolve(name),
          rows.subList(rows.size() * f / files, rows.size() * (f + 1) / files),
          Map.of("huggingface", metadata(classNames)),
          100);
    }
    return dir;
  }

  /** Writes one Parquet file of {@code rowsPerGroup}-row row groups with the given footer keys. */
  public static void write(
      Path file, List<Image> rows, Map<String, String> footer, int rowsPerGroup)
      throws IOException {
    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(
                HadoopOutputFile.fromPath(
                    new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))
            .withType(SCHEMA)
            .withExtraMetaData(footer)
            .withRowGroupRowCountLimit(rowsPerGroup)
            .build()) {
      for (Image row : rows) {
        Group g = groups.newGroup();
        Group image = g.addGroup("image");
        if (row.bytes != null) {
          image.add("bytes", org.apache.parquet.io.api.Binary.fromConstantByteArray(row.bytes));
        }
        if (row.path != null) {
          image.add("path", row.path);
        }
        if (row.label != null) {
          g.add("label", row.label);
        }
        writer.write(g);
      }
    }
  }

  /** The {@code huggingface} footer value {@code datasets} writes for an Image and a ClassLabel. */
  public static String metadata(List<String> classNames) {
    try {
      return new ObjectMapper()
          .writeValueAsString(
              Map.of(
                  "info",
                  Map.of(
                      "features",
                      Map.of(
                          "image",
                          Map.of("_type", "Image"),
                          "label",
                          Map.of("names", classNames, "_type", "ClassLabel")))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A grey image of unsigned bytes (row-major) as PNG. */
  public static byte[] png(byte[] grey, int width, int height) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.getRaster().setSample(x, y, 0, grey[y * width + x] & 0xff);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
