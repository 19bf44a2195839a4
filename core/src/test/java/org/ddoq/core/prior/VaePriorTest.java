package org.ddoq.core.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.prior.PriorSpec.PixelNormalization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in VAE prior on a slice of the real Fashion-MNIST: train, save, load, encode, decode.
 */
class VaePriorTest {
  static final ImageShape SHAPE = new ImageShape(1, 28, 28);
  static final List<String> CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
  static final VaeTrainingConfig SMALL =
      VaeTrainingConfig.defaults().withMaxTrainImages(3_000).withEpochs(2);

  @TempDir static Path tmp;
  static byte[][] heldOut;
  static PriorSpec trained;
  static List<String> progress = new ArrayList<>();

  @BeforeAll
  static void trainOnASlice() throws Exception {
    byte[][] train = TestIdx.images("train-images-idx3-ubyte.gz", 3_000);
    heldOut = TestIdx.images("t10k-images-idx3-ubyte.gz", 500);
    trained =
        VaeTraining.train(
            train, heldOut, SHAPE, CLASSES, SMALL, tmp.resolve("prior"), progress::add);
    progress.forEach(line -> System.out.println("[train-prior] " + line));
  }

  @AfterAll
  static void freeModels() {
    PriorModels.closeAll();
  }

  @Test
  void trainingWritesPriorJsonThatDescribesTheRun() {
    PriorSpec read = PriorSpec.read(tmp.resolve("prior"));
    assertEquals(trained, read);
    assertEquals(new LatentShape(4, 7, 7), read.latentShape());
    assertEquals(3_000, read.training().images());
    assertEquals(SMALL.epochs(), read.training().lossPerEpoch().size());
    assertTrue(read.scaleFactor() > 0.05 && read.scaleFactor() < 20, "scale " + read.scaleFactor());
    assertTrue(Files.exists(tmp.resolve("prior").resolve(VaeTraining.WEIGHTS_FILE)));
    assertTrue(
        progress.stream().anyMatch(l -> l.contains("img/s") && l.contains("ETA")),
        progress.toString());
  }

  @Test
  void reconstructionErrorIsWellBelowPredictingTheMeanImage() {
    double baseline = meanPixelVariance(heldOut);
    assertTrue(
        trained.reconstructionMse() < 0.5 * baseline,
        "MSE " + trained.reconstructionMse() + " vs mean-image baseline " + baseline);
    // The loaded prior reproduces the in-memory measurement up to the rounding of decoded bytes.
    try (PriorSession session = PriorModels.open(tmp.resolve("prior").toString(), Device.cpu())) {
      byte[][] decoded = session.decode(session.encode(heldOut));
      double se = 0;
      for (int i = 0; i < heldOut.length; i++) {
        for (int p = 0; p < SHAPE.size(); p++) {
          double d = ((heldOut[i][p] & 0xff) - (decoded[i][p] & 0xff)) / 255.0;
          se += d * d;
        }
      }
      assertEquals(trained.reconstructionMse(), se / heldOut.length / SHAPE.size(), 2e-4);
    }
  }

  @Test
  void encodingIsDeterministicAndDecodingGivesImagesOfTheRightShape() {
    byte[][] images = java.util.Arrays.copyOf(heldOut, 37);
    try (PriorSession session = PriorModels.open(tmp.resolve("prior").toString(), Device.cpu())) {
      float[][] first = session.encode(images);
      float[][] second = session.encode(images);
      assertEquals(37, first.length);
      for (int i = 0; i < first.length; i++) {
        assertEquals(trained.latentSize(), first[i].length);
        assertArrayEquals(first[i], second[i]);
      }
      byte[][] decoded = session.decode(first);
      assertEquals(37, decoded.length);
      for (byte[] image : decoded) {
        assertEquals(SHAPE.size(), image.length);
      }
    }
  }

  @Test
  void sessionsShareOneLoadedModelPerDirectoryAndDevice() {
    String dir = tmp.resolve("prior").toString();
    try (PriorSession a = PriorModels.open(dir, Device.cpu());
        PriorSession b =
            PriorModels.open(
                tmp.resolve("prior").resolve("..").resolve("prior").toString(), Device.cpu())) {
      assertSame(a.spec(), b.spec());
    }
  }

  @Test
  void savedThenLoadedWeightsEncodeBitIdenticallyToTheInMemoryModel(@TempDir Path dir)
      throws Exception {
    Engine.getInstance().setRandomSeed(7);
    byte[][] images = java.util.Arrays.copyOf(heldOut, 64);
    PriorSpec spec =
        new PriorSpec(
            PriorSpec.TYPE_VAE,
            SHAPE,
            new LatentShape(4, 7, 7),
            1,
            CLASSES,
            PixelNormalization.UNIT,
            java.util.Map.of(PriorSpec.ROLE_VAE, VaeTraining.WEIGHTS_FILE),
            java.util.Map.of(PriorSpec.ARCH_VAE_WIDTH, 16),
            null,
            Double.NaN,
            null);
    float[][] inMemory;
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      ConvVae vae = new ConvVae(1, 16);
      vae.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      try (OutputStream out = Files.newOutputStream(dir.resolve(VaeTraining.WEIGHTS_FILE))) {
        vae.saveParameters(new DataOutputStream(out));
      }
      NDList encoded =
          vae.encoder()
              .forward(
                  new ParameterStore(manager, false),
                  new NDList(VaeCodec.images(manager, images, SHAPE, PixelNormalization.UNIT)),
                  false);
      inMemory = VaeCodec.means(encoded.singletonOrThrow(), spec.latentShape());
    }
    spec.write(dir);
    try (PriorSession session = PriorModels.open(dir.toString(), Device.cpu())) {
      float[][] loaded = session.encode(images);
      for (int i = 0; i < images.length; i++) {
        assertArrayEquals(inMemory[i], loaded[i], "image " + i);
      }
    }
  }

  @Test
  void sameSeedTrainsTheSameWeights(@TempDir Path dir) throws Exception {
    byte[][] train = java.util.Arrays.copyOf(heldOut, 300);
    VaeTrainingConfig tiny = SMALL.withEpochs(1).withBatchSize(100);
    int engineThreads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
    PriorSpec a =
        VaeTraining.train(train, heldOut, SHAPE, CLASSES, tiny, dir.resolve("a"), line -> {});
    PriorSpec b =
        VaeTraining.train(train, heldOut, SHAPE, CLASSES, tiny, dir.resolve("b"), line -> {});
    // Training runs on one thread by default and gives the JVM's engine its setting back
    // afterwards.
    assertEquals(1, tiny.threads());
    assertEquals(engineThreads, ai.djl.pytorch.jni.JniUtils.getNumThreads());
    assertEquals(a.training().lossPerEpoch(), b.training().lossPerEpoch());
    assertArrayEquals(
        Files.readAllBytes(dir.resolve("a").resolve(VaeTraining.WEIGHTS_FILE)),
        Files.readAllBytes(dir.resolve("b").resolve(VaeTraining.WEIGHTS_FILE)));
  }

  static double meanPixelVariance(byte[][] images) {
    double total = 0;
    for (int p = 0; p < images[0].length; p++) {
      double sum = 0;
      double sumSquares = 0;
      for (byte[] image : images) {
        double v = (image[p] & 0xff) / 255.0;
        sum += v;
        sumSquares += v * v;
      }
      double mean = sum / images.length;
      total += sumSquares / images.length - mean * mean;
    }
    return total / images[0].length;
  }
}
