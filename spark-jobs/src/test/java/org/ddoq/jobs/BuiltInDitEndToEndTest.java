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
    Run trained =
        ddoq(
            "train-prior",
            "--input",
            slice.toString(),
            "--out",
            withDit.toString(),
            "--prior-epochs",
            "1",
            "--prior-max-images",
            "600",
            "--dit",
            "tiny",
            "--dit-epochs",
            "1");
    assertEquals(0, trained.status(), trained.err());
    JsonNode spec = new ObjectMapper().readTree(withDit.resolve("prior.json").toFile());
    assertEquals(10, spec.at("/diffusion/numClasses").asInt());

    Path out = root.resolve("out-builtin-dit");
    Run r =
        ddoq(
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            withDit.toString(),
            "--ipc",
            "2",
            "--steps",
            "5",
            "--decoder",
            "auto",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.err());
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals("dit", summary.at("/parameters/decoder").asText());
    assertEquals(20, Files.readAllLines(out.resolve("manifest.csv")).size() - 1);
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }

  /** --vae-from keeps the VAE byte for byte and adds a DiT; a non-built-in source is refused. */
  @Test
  void vaeFromReusesTheVaeAndTrainsOnlyTheDit() throws IOException {
    Path out = root.resolve("prior-vae-from");
    Run r =
        ddoq(
            "train-prior",
            "--input",
            slice.toString(),
            "--vae-from",
            prior.toString(),
            "--out",
            out.toString(),
            "--dit",
            "tiny",
            "--dit-epochs",
            "1");
    assertEquals(0, r.status(), r.err());
    JsonNode spec = new ObjectMapper().readTree(out.resolve("prior.json").toFile());
    JsonNode source = new ObjectMapper().readTree(prior.resolve("prior.json").toFile());
    assertEquals(10, spec.at("/diffusion/numClasses").asInt());
    assertEquals(source.path("scaleFactor").asDouble(), spec.path("scaleFactor").asDouble(), 0.0);
    assertTrue(
        java.util.Arrays.equals(
            Files.readAllBytes(prior.resolve("vae.params")),
            Files.readAllBytes(out.resolve("vae.params"))),
        "the VAE is copied, not retrained");

    Run refused =
        ddoq(
            "train-prior",
            "--input",
            slice.toString(),
            "--vae-from",
            prior.toString(),
            "--out",
            root.resolve("prior-vae-from-none").toString(),
            "--dit",
            "none");
    assertEquals(2, refused.status());
    assertTrue(refused.err().contains("--vae-from trains only a DiT"), refused.err());
  }

  /**
   * Running the same train-prior again on a directory whose DiT training was cut short resumes it
   * from the checkpoint; a finished prior or a VAE-only one without a checkpoint is refused with
   * what to do.
   */
  @Test
  void rerunOnAnInterruptedDitTrainingResumesIt() throws IOException {
    Path first = root.resolve("prior-resume-source");
    Run trained =
        ddoq(
            "train-prior",
            "--input",
            slice.toString(),
            "--vae-from",
            prior.toString(),
            "--out",
            first.toString(),
            "--dit",
            "tiny",
            "--dit-epochs",
            "1");
    assertEquals(0, trained.status(), trained.err());
    Run finished =
        ddoq(
            "train-prior",
            "--input",
            slice.toString(),
            "--out",
            first.toString(),
            "--dit-epochs",
            "2");
    assertEquals(2, finished.status());
    assertTrue(finished.err().contains("is finished (it has a DiT)"), finished.err());

    // What a kill during epoch 2 leaves: the VAE-only prior.json, and the checkpoint after epoch 1.
    Path cut = root.resolve("prior-resume-cut");
    Files.createDirectories(cut);
    for (String f : new String[] {"vae.params", "dit-checkpoint.bin", "dit-training.json"}) {
      Files.copy(first.resolve(f), cut.resolve(f));
    }
    Files.copy(prior.resolve("prior.json"), cut.resolve("prior.json"));
    Run resumed =
        ddoq(
            "train-prior",
            "--input",
            slice.toString(),
            "--out",
            cut.toString(),
            "--dit",
            "tiny",
            "--dit-epochs",
            "2");
    assertEquals(0, resumed.status(), resumed.err());
    JsonNode facts = new ObjectMapper().readTree(cut.resolve("dit-training.json").toFile());
    assertEquals(2, facts.path("epochs").asInt());
    assertEquals(
        "[1]",
        facts.path("resumedAfter").toString(),
        "epoch 1 came from the checkpoint, not retrained");
    assertEquals(
        10,
        new ObjectMapper()
            .readTree(cut.resolve("prior.json").toFile())
            .at("/diffusion/numClasses")
            .asInt());

    Path vaeOnly = root.resolve("prior-vae-only-copy");
    Files.createDirectories(vaeOnly);
    Files.copy(prior.resolve("prior.json"), vaeOnly.resolve("prior.json"));
    Run refused = ddoq("train-prior", "--input", slice.toString(), "--out", vaeOnly.toString());
    assertEquals(2, refused.status());
    assertTrue(refused.err().contains("--vae-from " + vaeOnly), refused.err());
  }
}
