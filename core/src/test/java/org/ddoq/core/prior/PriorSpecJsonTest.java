package org.ddoq.core.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.InputException;
import org.ddoq.core.prior.PriorSpec.PixelNormalization;
import org.ddoq.core.prior.PriorSpec.TrainingFacts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriorSpecJsonTest {
  @TempDir Path dir;

  static PriorSpec example(double mse) {
    return new PriorSpec(
        PriorSpec.TYPE_VAE,
        new ImageShape(1, 28, 28),
        new LatentShape(4, 7, 7),
        1.25,
        List.of("T-shirt/top", "Trouser"),
        PixelNormalization.UNIT,
        Map.of(PriorSpec.ROLE_VAE, VaeTraining.WEIGHTS_FILE),
        Map.of(PriorSpec.ARCH_VAE_WIDTH, 16),
        new TrainingFacts(60_000, 3, 301.5, List.of(0.031, 0.0125, 0.011), 32, 2e-3, 0.005, 42),
        mse,
        null);
  }

  @Test
  void priorJsonRoundTripsEveryField() {
    PriorSpec spec = example(0.0123);
    spec.write(dir);
    assertEquals(spec, PriorSpec.read(dir));
    assertEquals(196, spec.latentSize());
  }

  @Test
  void unmeasuredReconstructionErrorAndMissingTrainingFactsRoundTrip() {
    PriorSpec spec =
        new PriorSpec(
            "torchscript",
            new ImageShape(3, 32, 32),
            new LatentShape(4, 4, 4),
            0.18215,
            List.of("a"),
            new PixelNormalization(0.5, 0.5),
            Map.of("encoder", "enc.pt"),
            Map.of(),
            null,
            Double.NaN,
            DiffusionSpec.dit(10, true));
    spec.write(dir);
    PriorSpec read = PriorSpec.read(dir);
    assertEquals(spec.type(), read.type());
    assertTrue(Double.isNaN(read.reconstructionMse()));
    assertEquals(null, read.training());
    assertEquals(spec.diffusion(), read.diffusion());
    assertTrue(read.hasDenoiser());
    assertEquals(10, read.diffusion().nullLabel());
    assertEquals(spec.pixelNormalization(), read.pixelNormalization());
  }

  @Test
  void missingPriorJsonNamesTheFileAndTheFix() {
    InputException e = assertThrows(InputException.class, () -> PriorSpec.read(dir));
    assertTrue(e.getMessage().contains(dir.resolve("prior.json").toString()), e.getMessage());
    assertTrue(e.getMessage().contains("train-prior"), e.getMessage());
  }

  @Test
  void corruptPriorJsonNamesTheFile() throws Exception {
    Files.writeString(dir.resolve("prior.json"), "{\"type\": \"vae\", ");
    InputException e = assertThrows(InputException.class, () -> PriorSpec.read(dir));
    assertTrue(e.getMessage().contains(dir.resolve("prior.json").toString()), e.getMessage());
  }

  @Test
  void missingFieldIsNamed() throws Exception {
    example(0.01).write(dir);
    Path file = dir.resolve("prior.json");
    Files.writeString(file, Files.readString(file).replace("\"scaleFactor\"", "\"scale\""));
    InputException e = assertThrows(InputException.class, () -> PriorSpec.read(dir));
    assertTrue(
        e.getMessage().contains("scaleFactor") && e.getMessage().contains(file.toString()),
        e.getMessage());
  }

  @Test
  void missingWeightsFileIsAnInputExceptionNamingIt() {
    example(0.01).write(dir);
    InputException e =
        assertThrows(
            InputException.class, () -> PriorModels.open(dir.toString(), ai.djl.Device.cpu()));
    assertTrue(
        e.getMessage().contains(dir.resolve(VaeTraining.WEIGHTS_FILE).toString()), e.getMessage());
  }
}
