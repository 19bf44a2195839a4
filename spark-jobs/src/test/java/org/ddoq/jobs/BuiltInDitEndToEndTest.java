package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** train-prior with the built-in DiT, then distill decodes through it by default. */
class BuiltInDitEndToEndTest extends CliTestBase {

  @Test
  void trainPriorWithDitThenDistillDecodesThroughIt() throws IOException {
    Path withDit = root.resolve("prior-with-dit");
    Run trained = ddoq("train-prior", "--input", slice.toString(), "--out", withDit.toString(),
        "--prior-epochs", "1", "--prior-max-images", "600", "--dit", "tiny", "--dit-epochs", "1");
    assertEquals(0, trained.status(), trained.err());
    JsonNode spec = new ObjectMapper().readTree(withDit.resolve("prior.json").toFile());
    assertEquals(10, spec.at("/diffusion/numClasses").asInt());

    Path out = root.resolve("out-builtin-dit");
    Run r = ddoq("distill", "--input", slice.toString(), "--prior", withDit.toString(), "--ipc", "2",
        "--steps", "5", "--out", out.toString());
    assertEquals(0, r.status(), r.err());
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals("dit", summary.at("/parameters/decoder").asText());
    assertEquals(20, Files.readAllLines(out.resolve("manifest.csv")).size() - 1);
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }
}
