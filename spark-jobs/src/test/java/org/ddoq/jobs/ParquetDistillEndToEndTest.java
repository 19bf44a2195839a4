package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ddoq.core.data.HfParquet;
import org.ddoq.core.data.IdxReader;
import org.junit.jupiter.api.Test;

/**
 * distill --format parquet on the test slice's images as a Hugging Face hub table (3 files, names
 * in the footers, one row without image bytes), with the prior trained on the same slice.
 */
class ParquetDistillEndToEndTest extends CliTestBase {

  @Test
  void distillReadsAHuggingFaceTable() throws IOException {
    int[] labels = FashionSlice.labels(slice, "train");
    List<HfParquet.Image> rows = new ArrayList<>(HfParquet.fashion(labels.length));
    rows.set(100, new HfParquet.Image(null, "train/100.png", (long) labels[100]));
    Path table =
        HfParquet.writeHub(
            root.resolve("fashion-parquet"), rows, 3, IdxReader.FASHION_MNIST_CLASSES);
    Path out = root.resolve("out-parquet");
    Run r =
        ddoq(
            "distill",
            "--input",
            table.toString(),
            "--format",
            "parquet",
            "--prior",
            prior.toString(),
            "--ipc",
            "3",
            "--seed",
            "1",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.err());

    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals("parquet", summary.at("/parameters/format").asText());
    assertEquals(labels.length - 1, summary.at("/dataset/images").asLong());
    assertEquals(1, summary.at("/dataset/skipped_count").asInt());
    assertTrue(
        summary
            .at("/dataset/skipped/0/source")
            .asText()
            .endsWith("data/train-00000-of-00003.parquet#100 (train/100.png)"),
        summary.at("/dataset/skipped").toString());

    // The footer's names became the class folders, and every read image is counted in its class.
    assertTrue(Files.exists(out.resolve("images/T-shirt_top/0_0.png")));
    Map<Integer, Long> counts = new HashMap<>();
    List<String> manifest = Files.readAllLines(out.resolve("manifest.csv"));
    assertEquals(31, manifest.size());
    for (String line : manifest.subList(1, manifest.size())) {
      String[] f = line.split(",", -1);
      assertEquals(IdxReader.FASHION_MNIST_CLASSES.get(Integer.parseInt(f[1])), f[2]);
      counts.merge(Integer.parseInt(f[1]), Long.parseLong(f[4]), Long::sum);
    }
    for (int label = 0; label < 10; label++) {
      final int l = label;
      long expected = Arrays.stream(labels).filter(x -> x == l).count();
      assertEquals(label == labels[100] ? expected - 1 : expected, counts.get(label));
    }
  }
}
