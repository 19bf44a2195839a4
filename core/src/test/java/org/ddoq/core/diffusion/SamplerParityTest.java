package org.ddoq.core.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.ddoq.core.prior.PriorModels;
import org.ddoq.core.prior.PriorSession;
import org.ddoq.core.prior.PriorSpec;
import org.ddoq.core.prior.TorchScriptPython;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Parity: {@link DdimSampler} in Java and a reference loop in Python/PyTorch ({@code
 * ddim_reference.py}, written from the sampler's class comment) run the same tiny TorchScript DiT
 * from the same starting latents with the same recorded noise, and agree to 1e-4.
 */
class SamplerParityTest {
  private static final int[] LABELS = {0, 3, 9, 5};

  @TempDir static Path tmp;
  static Path prior;

  @BeforeAll
  static void exportTinyPrior() {
    prior = TorchScriptPython.exportTiny(tmp.resolve("tiny"));
  }

  @AfterAll
  static void freeModels() {
    PriorModels.closeAll();
  }

  @ParameterizedTest(name = "strength {0}, eta {1}: guidance 4, 10 steps")
  @CsvSource({"0.7, 0", "1.0, 0", "0.7, 1"})
  void javaSamplerMatchesThePythonReference(double strength, double eta) throws IOException {
    SamplerSettings settings = new SamplerSettings(strength, 10, 4, eta);
    try (PriorSession session = PriorModels.open(prior.toString(), Device.cpu())) {
      PriorSpec spec = session.spec();
      int size = spec.latentSize();
      Random rnd = new Random(7);
      float[][] x0 = new float[LABELS.length][size];
      for (float[] row : x0) {
        for (int j = 0; j < size; j++) {
          row[j] = (float) (rnd.nextGaussian() * 0.8); // a centroid in scaled units (std about 1)
        }
      }
      RecordingNoise noise =
          new RecordingNoise(DdimSampler.seeded(new long[] {11, 12, 13, 14}), LABELS.length);
      DdimSampler sampler = new DdimSampler(new GaussianDiffusion(spec.diffusion()), settings);
      float[][] java = sampler.sample(session::denoise, x0, LABELS, noise);

      Path input = tmp.resolve("ddim-input-" + strength + "-" + eta + ".txt");
      try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(input))) {
        out.println(
            strength
                + " "
                + settings.steps()
                + " "
                + settings.guidance()
                + " "
                + eta
                + " "
                + LABELS.length
                + " "
                + size);
        out.println(Arrays.toString(LABELS).replaceAll("[\\[\\],]", ""));
        Arrays.stream(x0).forEach(row -> printRow(out, row));
        for (List<float[]> draws : noise.drawn) {
          out.println(draws.size());
          draws.forEach(row -> printRow(out, row));
        }
      }
      Path script =
          Path.of(System.getProperty("basedir", "."))
              .resolve("src/test/resources/org/ddoq/core/diffusion/ddim_reference.py");
      List<String> lines =
          TorchScriptPython.run(List.of(script.toString(), prior.toString(), input.toString()));
      assertArrayEquals(
          sampler.timesteps(),
          Arrays.stream(lines.get(0).trim().split(" ")).mapToInt(Integer::parseInt).toArray(),
          "visited timesteps");
      float[][] python = TorchScriptPython.floats(lines.subList(1, lines.size()));
      assertEquals(LABELS.length, python.length);
      double maxDiff = 0;
      double maxAbs = 0;
      for (int i = 0; i < LABELS.length; i++) {
        for (int j = 0; j < size; j++) {
          assertEquals(python[i][j], java[i][j], 1e-4, "image " + i + " value " + j);
          maxDiff = Math.max(maxDiff, Math.abs(python[i][j] - java[i][j]));
          maxAbs = Math.max(maxAbs, Math.abs(java[i][j]));
        }
      }
      System.out.printf(
          "parity strength %s eta %s: max |java - python| %.2e, max |x| %.2f%n",
          strength, eta, maxDiff, maxAbs);
    }
  }

  private static void printRow(PrintWriter out, float[] row) {
    StringBuilder line = new StringBuilder();
    for (float v : row) {
      line.append(v).append(' '); // Float.toString round-trips exactly through Python
    }
    out.println(line);
  }

  /**
   * Passes noise through and keeps every draw, per image in order, for the Python side to replay.
   */
  private static final class RecordingNoise implements NoiseSource {
    private final NoiseSource source;
    private final List<List<float[]>> drawn = new ArrayList<>();

    RecordingNoise(NoiseSource source, int images) {
      this.source = source;
      for (int i = 0; i < images; i++) {
        drawn.add(new ArrayList<>());
      }
    }

    @Override
    public float[] next(int image, int size) {
      float[] z = source.next(image, size);
      drawn.get(image).add(z.clone());
      return z;
    }
  }
}
