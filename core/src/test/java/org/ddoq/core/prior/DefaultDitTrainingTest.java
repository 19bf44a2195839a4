package org.ddoq.core.prior;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default's DiT end to end: all 60,000 Fashion-MNIST training images encoded by a VAE
 * prior, then {@link DitTrainingConfig#defaults()}, which must finish in under 15 minutes. Pass an
 * existing VAE prior directory (it is copied, not changed) or let the test train the default VAE
 * first (~5 minutes more): {@code mvn -o -B -pl core test -Dtest=DefaultDitTrainingTest
 * -Dddoq.slow=true [-Dddoq.vaePrior=DIR]}.
 */
@Tag("slow")
@EnabledIfSystemProperty(named = "ddoq.slow", matches = "true")
class DefaultDitTrainingTest {
  @TempDir Path dir;

  @Test
  void defaultConfigTrainsOnFullFashionMnistLatentsInUnder15Minutes() throws Exception {
    byte[][] images = TestIdx.images("train-images-idx3-ubyte.gz", Integer.MAX_VALUE);
    int[] labels = TestIdx.labels("train-labels-idx1-ubyte.gz", Integer.MAX_VALUE);
    Path prior = dir.resolve("prior");
    String given = System.getProperty("ddoq.vaePrior", "");
    if (given.isEmpty()) {
      VaeTraining.train(
          images,
          TestIdx.images("t10k-images-idx3-ubyte.gz", Integer.MAX_VALUE),
          VaePriorTest.SHAPE,
          VaePriorTest.CLASSES,
          VaeTrainingConfig.defaults(),
          prior,
          line -> System.out.println("[vae] " + line));
    } else {
      Files.createDirectories(prior);
      for (String file : List.of(PriorSpec.FILE_NAME, VaeTraining.WEIGHTS_FILE)) {
        Files.copy(Path.of(given).resolve(file), prior.resolve(file));
      }
    }
    long start = System.nanoTime();
    float[][] latents;
    try (PriorSession session = PriorModels.open(prior.toString(), Device.cpu())) {
      latents = new float[images.length][];
      for (int from = 0; from < images.length; from += 1_000) {
        float[][] part = session.encode(java.util.Arrays.copyOfRange(images, from, from + 1_000));
        System.arraycopy(part, 0, latents, from, part.length);
      }
    }
    System.out.printf(
        "[dit] encoded %d images in %.1f s%n", images.length, (System.nanoTime() - start) / 1e9);
    start = System.nanoTime();
    PriorSpec spec =
        DitTraining.train(
            latents,
            labels,
            PriorSpec.read(prior),
            prior,
            DitTrainingConfig.defaults(),
            line -> System.out.println("[dit] " + line));
    double seconds = (System.nanoTime() - start) / 1e9;
    DitTrainingFacts facts = DitTrainingFacts.read(prior);
    System.out.printf(
        "[result] DiT %s: %.0f s wall, %.0f img/s, loss per epoch %s (first step %.4f)%n",
        facts.model(),
        seconds,
        (double) facts.latents() * facts.epochs() / facts.seconds(),
        facts.lossPerEpoch(),
        facts.firstStepLoss());
    System.out.println("[result] " + spec);
    assertTrue(seconds < 15 * 60, "took " + seconds + " s");
    // v's MSE cannot fall much below ~0.5: near pure noise the best v estimate is off by x0's
    // spread within its class (class-mean error 0.60 per value, docs/results.md). Measured: 1.0 at
    // the first step, 0.557 after 12 epochs. (An epsilon DiT reached 0.15, which is no better: its
    // x0 estimates were far worse.)
    assertTrue(
        facts.lossPerEpoch().get(facts.epochs() - 1) < 0.65 * facts.firstStepLoss(),
        facts.toString());
  }
}
