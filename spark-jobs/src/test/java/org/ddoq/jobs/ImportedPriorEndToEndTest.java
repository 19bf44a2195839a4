package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The import path end to end: the export script's --tiny mode writes a TorchScript prior (VAE + DiT
 * with Debian's python3-torch), and distill decodes a real Fashion-MNIST slice through it with the
 * dit decoder.
 */
class ImportedPriorEndToEndTest extends CliTestBase {
  private static Path imported;

  @BeforeAll
  static void exportTinyPrior() throws IOException, InterruptedException {
    imported = root.resolve("tiny-torchscript");
    Path script =
        Path.of(System.getProperty("basedir", "."))
            .resolve("../core/src/main/python/ddoq_export_prior.py");
    Process p =
        new ProcessBuilder(
                "/usr/bin/python3", script.toString(), "--tiny", "--out", imported.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS));
    assertEquals(
        0,
        p.exitValue(),
        "export --tiny failed (needs apt-get install python3-torch python3-numpy):\n" + output);
  }

  @Test
  void distillThroughAnImportedDitWritesTheOutputContract() throws IOException {
    Path out = root.resolve("out-imported-dit");
    Run r =
        ddoq(
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            imported.toString(),
            "--ipc",
            "3",
            "--steps",
            "10",
            "--decoder",
            "auto",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    assertTrue(Files.exists(out.resolve("contact_sheet.png")));
    assertEquals(31, Files.readAllLines(out.resolve("manifest.csv")).size());
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals(
        "dit", summary.at("/parameters/decoder").asText(), "auto picks dit for a prior with a DiT");
    assertEquals("torchscript", summary.at("/prior/type").asText());
    assertEquals(
        org.ddoq.core.stage.CentroidDecoder.DEFAULT_STRENGTH,
        summary.at("/parameters/strength").asDouble(),
        "the default strength, recorded");
  }

  @Test
  void strengthZeroReproducesTheVaeDecodingExactly() throws IOException {
    Path vae = root.resolve("out-imported-vae");
    Path dit0 = root.resolve("out-imported-dit0");
    Path dit = root.resolve("out-imported-dit07");
    for (String[] run :
        List.of(
            new String[] {"--decoder", "vae", "--out", vae.toString()},
            new String[] {"--decoder", "dit", "--strength", "0", "--out", dit0.toString()},
            new String[] {
              "--decoder", "dit", "--strength", "0.7", "--steps", "4", "--out", dit.toString()
            })) {
      String[] args =
          java.util.stream.Stream.concat(
                  java.util.stream.Stream.of(
                      "distill",
                      "--input",
                      slice.toString(),
                      "--prior",
                      imported.toString(),
                      "--ipc",
                      "2",
                      "--seed",
                      "5"),
                  java.util.Arrays.stream(run))
              .toArray(String[]::new);
      assertEquals(0, ddoq(args).status());
    }
    String image = "images/Dress/3_1.png";
    assertArrayEquals(
        Files.readAllBytes(vae.resolve(image)), Files.readAllBytes(dit0.resolve(image)));
    assertFalse(
        java.util.Arrays.equals(
            Files.readAllBytes(vae.resolve(image)), Files.readAllBytes(dit.resolve(image))),
        "strength 0.7 must change the image");
  }

  @Test
  void ditDecoderOnAVaeOnlyPriorIsRefusedBeforeWriting() {
    Path out = root.resolve("out-dit-on-vae");
    Run r =
        ddoq(
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            prior.toString(),
            "--decoder",
            "dit",
            "--out",
            out.toString());
    assertTrue(r.status() != 0);
    assertTrue(r.err().contains("has none") || r.err().contains("diffusion model"), r.err());
  }
}
