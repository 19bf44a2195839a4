package org.ddoq.core.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * summary.json through {@link SummaryFile}: an existing file loads, its typed view, the same bytes
 * again.
 */
class SummaryFileTest {
  /** A summary.json as distill writes it on main (shortened to two classes), seed beyond an int. */
  private static final String WRITTEN_BY_MAIN =
      String.join(
              "\n",
              "{",
              "  \"tool\" : \"ddoq dev\",",
              "  \"parameters\" : {",
              "    \"input\" : \"/data/fashion-mnist-slice\",",
              "    \"format\" : \"idx\",",
              "    \"ipc\" : 3,",
              "    \"seed\" : 12345678901,",
              "    \"weights\" : \"mass\",",
              "    \"restarts\" : 1,",
              "    \"max_iter\" : 50,",
              "    \"keep_latents\" : false,",
              "    \"decoder\" : \"vae\"",
              "  },",
              "  \"prior\" : {",
              "    \"path\" : \"/data/prior\",",
              "    \"trained_in_this_run\" : false,",
              "    \"type\" : \"vae\",",
              "    \"image_shape\" : \"1x28x28\",",
              "    \"latent_shape\" : \"4x7x7\"",
              "  },",
              "  \"dataset\" : {",
              "    \"images\" : 1200,",
              "    \"classes\" : 2,",
              "    \"image_shape\" : \"1x28x28\",",
              "    \"skipped_count\" : 0,",
              "    \"skipped\" : [ ]",
              "  },",
              "  \"classes\" : [ {",
              "    \"label\" : 0,",
              "    \"class_name\" : \"T-shirt/top\",",
              "    \"count\" : 123,",
              "    \"centroids\" : 3,",
              "    \"distortion\" : 21.690034676785892,",
              "    \"uniform_w2\" : 23.431570642633297,",
              "    \"seconds\" : 4.586548607",
              "  }, {",
              "    \"label\" : 1,",
              "    \"class_name\" : \"say \\\"hi\\\", naïve\",",
              "    \"count\" : 128,",
              "    \"centroids\" : 3,",
              "    \"distortion\" : 1.0E-5,",
              "    \"uniform_w2\" : 23.03792015927897,",
              "    \"seconds\" : 3.484027007",
              "  } ],",
              "  \"totals\" : {",
              "    \"distilled_images\" : 6,",
              "    \"mean_w2_weighted\" : 2.3301530582046768,",
              "    \"mean_w2_uniform\" : 4.819927862298839,",
              "    \"w2_reduction_percent\" : 51.65653413427009",
              "  },",
              "  \"seconds\" : {",
              "    \"read\" : 0.41,",
              "    \"total\" : 12.0",
              "  },",
              "  \"started\" : \"2026-12-01T07:13:02.118Z\",",
              "  \"finished\" : \"2026-12-01T07:13:14.120Z\"",
              "}")
          + "\n";

  @Test
  void aSummaryWrittenByMainLoadsTypedAndIsWrittenAgainWithTheSameBytes(@TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve(SummaryFile.NAME), WRITTEN_BY_MAIN, StandardCharsets.UTF_8);
    FileSystem fs = FileSystem.getLocal(new Configuration());
    Map<String, Object> map = SummaryFile.readMap(fs, dir.toString());
    assertEquals(WRITTEN_BY_MAIN, SummaryFile.text(map));

    SummaryFile view = SummaryFile.view(map);
    assertEquals(3, view.parameters().ipc());
    assertEquals(12345678901L, view.parameters().seed());
    assertEquals(new SummaryFile.Prior("/data/prior", "4x7x7"), view.prior());
    assertEquals(
        List.of(
            new SummaryFile.ClassEntry(0, "T-shirt/top"),
            new SummaryFile.ClassEntry(1, "say \"hi\", naïve")),
        view.classes());
    assertEquals(
        3, SummaryFile.readTree(fs, dir.toString()).path("parameters").path("ipc").asInt());
  }

  @Test
  void aSectionIsACopyToChangeAndWriteAgain(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(SummaryFile.NAME), WRITTEN_BY_MAIN, StandardCharsets.UTF_8);
    Map<String, Object> map =
        SummaryFile.readMap(FileSystem.getLocal(new Configuration()), dir.toString());
    Map<String, Object> params = SummaryFile.section(map, "parameters");
    params.put("seed", 7L);
    params.remove("decoder");
    assertEquals(
        List.of(
            "input", "format", "ipc", "seed", "weights", "restarts", "max_iter", "keep_latents"),
        List.copyOf(params.keySet()),
        "keeps the order");
    assertEquals(
        12345678901L, SummaryFile.view(map).parameters().seed(), "the summary read is unchanged");
    assertTrue(SummaryFile.section(map, "absent").isEmpty());
  }

  @Test
  void aHandMadeSummaryWithoutIpcLoads() {
    SummaryFile view = SummaryFile.view(Map.of("tool", "hand", "parameters", Map.of("seed", 1)));
    assertNull(view.parameters().ipc());
    assertEquals(1L, view.parameters().seed());
    assertNull(view.prior());
  }
}
