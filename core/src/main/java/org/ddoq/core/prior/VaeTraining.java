package org.ddoq.core.prior;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.prior.PriorSpec.PixelNormalization;
import org.ddoq.core.prior.PriorSpec.TrainingFacts;

/**
 * Trains the built-in {@link ConvVae} prior on CPU (train-prior's engine; no Spark here) and writes
 * a prior directory: {@value #WEIGHTS_FILE} + {@code prior.json}.
 *
 * <p>Loss per image, divided by the pixel count so it reads as a per-pixel error: {@code sum (x -
 * x')^2 + beta * KL(q(z|x) || N(0, I))}, x in [0,1]. This is the negative ELBO of a Gaussian
 * decoder with noise sigma, times 2 sigma^2, so beta = 2 sigma^2: the default beta 0.005 says
 * "pixel errors above sigma = 0.05 (13 grey levels) matter". The KL then keeps latents near N(0, I)
 * so centroids and diffusion stay in the decoder's range, while the posterior means still carry the
 * detail that sharp reconstructions need (Stable Diffusion's VAE makes the same trade with an even
 * lighter KL).
 */
public final class VaeTraining {
  /** File name of the VAE weights (DJL parameter format) in the prior directory. */
  public static final String WEIGHTS_FILE = "vae.params";

  private static final long PROGRESS_NANOS = 10_000_000_000L;
  private static final int EVAL_BATCH = 500;

  private VaeTraining() {}

  /** Whether {@code dir} holds a stopped VAE training (a checkpoint and no prior yet). */
  public static boolean stoppedIn(Path dir) {
    return Files.exists(dir.resolve(VaeCheckpoint.FILE))
        && !Files.exists(dir.resolve(PriorSpec.FILE_NAME));
  }

  /**
   * Trains, measures, writes {@code outDir} and returns what {@code prior.json} says.
   *
   * @param trainImages C*H*W unsigned bytes each (CHW)
   * @param heldOutImages for the reconstruction error; when empty, min(10%, 5,000) of the training
   *     images are held out instead
   * @param progress receives a line at least every ~10 s while training, and a summary
   */
  public static PriorSpec train(
      byte[][] trainImages,
      byte[][] heldOutImages,
      ImageShape shape,
      List<String> classNames,
      VaeTrainingConfig config,
      Path outDir,
      Consumer<String> progress) {
    LatentShape latent = ConvVae.latentShapeFor(shape);
    Random random = new Random(config.seed());
    byte[][] train = shuffled(trainImages, random);
    byte[][] heldOut = heldOutImages;
    if (heldOut.length == 0) {
      int hold = Math.min(train.length / 10, 5_000);
      heldOut = Arrays.copyOfRange(train, train.length - hold, train.length);
      train = Arrays.copyOf(train, train.length - hold);
    }
    train = Arrays.copyOf(train, Math.min(train.length, config.maxTrainImages()));
    if (train.length == 0 || heldOut.length == 0) {
      throw new IllegalArgumentException(
          "need training and held-out images, got " + train.length + " and " + heldOut.length);
    }
    progress.accept(
        "training VAE prior: "
            + train.length
            + " images "
            + shape
            + " -> latents "
            + latent
            + ", "
            + config);
    Engine.getInstance().setRandomSeed((int) config.seed());
    ConvVae vae = new ConvVae(shape.channels(), config.width());
    int engineThreads = JniUtils.getNumThreads();
    if (config.threads() > 0) {
      JniUtils.setNumThreads(config.threads());
    }
    String identity = VaeCheckpoint.identity(config, train.length, shape);
    VaeCheckpoint last = VaeCheckpoint.read(outDir, identity);
    if (last != null) {
      progress.accept(
          String.format(
              "resuming the VAE after epoch %d of %d (%.0f s of training so far) from %s",
              last.epoch(), config.epochs(), last.seconds(), outDir.resolve(VaeCheckpoint.FILE)));
    }
    try (Model model = Model.newInstance("ddoq-vae", Device.cpu())) {
      model.setBlock(vae);
      long start = System.nanoTime();
      double before = last == null ? 0 : last.seconds();
      List<Double> losses =
          fit(
              model,
              train,
              shape,
              config,
              progress,
              random,
              last,
              (done, soFar) ->
                  new VaeCheckpoint(
                          identity,
                          done,
                          before + (System.nanoTime() - start) / 1e9,
                          List.copyOf(soFar),
                          parameters(vae))
                      .write(outDir));
      double seconds = before + (System.nanoTime() - start) / 1e9;
      Evaluation eval = evaluate(vae, model.getNDManager(), heldOut, shape, latent);
      progress.accept(
          String.format(
              "held-out reconstruction MSE %.5f per pixel (predicting the mean "
                  + "image: %.5f); latent std %.4f",
              eval.mse, eval.baselineMse, eval.latentStd));
      Files.createDirectories(outDir);
      try (OutputStream out = Files.newOutputStream(outDir.resolve(WEIGHTS_FILE))) {
        vae.saveParameters(new DataOutputStream(out));
      }
      PriorSpec spec =
          new PriorSpec(
              PriorSpec.TYPE_VAE,
              shape,
              latent,
              1 / eval.latentStd,
              classNames,
              PixelNormalization.UNIT,
              Map.of(PriorSpec.ROLE_VAE, WEIGHTS_FILE),
              Map.of(PriorSpec.ARCH_VAE_WIDTH, config.width()),
              new TrainingFacts(
                  train.length,
                  config.epochs(),
                  seconds,
                  losses,
                  config.batchSize(),
                  config.learningRate(),
                  config.beta(),
                  config.seed()),
              eval.mse,
              null);
      spec.write(outDir);
      VaeCheckpoint.remove(outDir);
      progress.accept(String.format("wrote prior to %s (%.0f s training)", outDir, seconds));
      return spec;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the prior to " + outDir, e);
    } finally {
      JniUtils.setNumThreads(engineThreads);
    }
  }

  /** Told after each finished epoch: its number and the mean losses of the epochs so far. */
  private interface EpochEnd {
    void accept(int epoch, List<Double> losses);
  }

  /**
   * Adam over the shuffled images; after {@code last}'s epoch when given (its parameters loaded,
   * the skipped epochs' shuffles drawn again so each epoch sees the order an uninterrupted training
   * would; Adam's moments and the sampling noise start afresh).
   */
  private static List<Double> fit(
      Model model,
      byte[][] train,
      ImageShape shape,
      VaeTrainingConfig config,
      Consumer<String> progress,
      Random random,
      VaeCheckpoint last,
      EpochEnd epochEnd) {
    DefaultTrainingConfig setup =
        new DefaultTrainingConfig(Loss.l2Loss())
            .optInitializer(
                new XavierInitializer(
                    XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.IN, 2),
                Parameter.Type.WEIGHT)
            .optOptimizer(
                Adam.builder()
                    .optLearningRateTracker(Tracker.fixed((float) config.learningRate()))
                    .build());
    int batches = (train.length + config.batchSize() - 1) / config.batchSize();
    List<Double> losses = new ArrayList<>(last == null ? List.of() : last.losses());
    int first = last == null ? 1 : last.epoch() + 1;
    try (Trainer trainer = model.newTrainer(setup)) {
      Shape input = new Shape(config.batchSize(), shape.channels(), shape.height(), shape.width());
      if (last != null) {
        // Before Trainer.initialize, which takes up the parameter arrays (as the teacher's resume).
        model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, input);
        try {
          model
              .getBlock()
              .loadParameters(
                  model.getNDManager(),
                  new DataInputStream(new ByteArrayInputStream(last.parameters())));
        } catch (IOException | MalformedModelException e) {
          throw new IllegalStateException("cannot load the VAE's checkpoint: " + e, e);
        }
      }
      trainer.initialize(input);
      long start = System.nanoTime();
      long lastReport = start;
      // Steps of this run: the ETA counts only what is left.
      long totalSteps = (long) batches * (config.epochs() - first + 1);
      for (int epoch = 1; epoch < first; epoch++) {
        shuffled(train, random);
      }
      for (int epoch = first; epoch <= config.epochs(); epoch++) {
        byte[][] order = shuffled(train, random);
        double lossSum = 0;
        double mseSum = 0;
        for (int b = 0; b < batches; b++) {
          byte[][] batch =
              Arrays.copyOfRange(
                  order,
                  b * config.batchSize(),
                  Math.min(order.length, (b + 1) * config.batchSize()));
          float[] stepLoss = step(trainer, batch, shape, config.beta());
          lossSum += stepLoss[0] * batch.length;
          mseSum += stepLoss[1] * batch.length;
          long now = System.nanoTime();
          long done = (long) (epoch - first) * batches + b + 1;
          if (now - lastReport >= PROGRESS_NANOS || b == batches - 1) {
            lastReport = now;
            double elapsed = (now - start) / 1e9;
            long seen = Math.min((long) train.length * config.epochs(), done * config.batchSize());
            progress.accept(
                String.format(
                    "epoch %d/%d batch %d/%d  %.0f img/s  loss %.5f (mse %.5f)" + "  ETA %.0f s",
                    epoch,
                    config.epochs(),
                    b + 1,
                    batches,
                    seen / elapsed,
                    stepLoss[0],
                    stepLoss[1],
                    elapsed * (totalSteps - done) / done));
          }
        }
        losses.add(lossSum / train.length);
        epochEnd.accept(epoch, losses);
        progress.accept(
            String.format(
                "epoch %d/%d done: mean loss %.5f, mean mse %.5f; checkpoint written",
                epoch, config.epochs(), lossSum / train.length, mseSum / train.length));
      }
    }
    return losses;
  }

  /**
   * One Adam step; returns (loss, reconstruction MSE per pixel). Batch arrays die with the
   * sub-manager.
   */
  private static float[] step(Trainer trainer, byte[][] batch, ImageShape shape, double beta) {
    try (NDManager batchManager = trainer.getManager().newSubManager()) {
      NDArray x = VaeCodec.images(batchManager, batch, shape, PixelNormalization.UNIT);
      float[] result = new float[2];
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDList out = trainer.forward(new NDList(x));
        NDArray mean = out.get(1);
        NDArray logVar = out.get(2);
        NDArray mse = out.get(0).sub(x).square().mean();
        NDArray kl =
            mean.square()
                .add(logVar.exp())
                .sub(1)
                .sub(logVar)
                .mul(0.5)
                .sum()
                .div(batch.length * (float) shape.size());
        NDArray loss = mse.add(kl.mul((float) beta));
        collector.backward(loss);
        result[0] = loss.getFloat();
        result[1] = mse.getFloat();
      }
      trainer.step();
      return result;
    }
  }

  /**
   * Held-out reconstruction error from posterior means, and the std of those means (all values).
   */
  static Evaluation evaluate(
      ConvVae vae, NDManager parent, byte[][] images, ImageShape shape, LatentShape latent) {
    ParameterStore store = new ParameterStore(parent, false);
    double squaredError = 0;
    double sum = 0;
    double sumSquares = 0;
    double[] pixelSum = new double[shape.size()];
    double[] pixelSumSquares = new double[shape.size()];
    for (int from = 0; from < images.length; from += EVAL_BATCH) {
      byte[][] batch = Arrays.copyOfRange(images, from, Math.min(images.length, from + EVAL_BATCH));
      try (NDManager m = parent.newSubManager()) {
        NDArray x = VaeCodec.images(m, batch, shape, PixelNormalization.UNIT);
        NDList out = vae.forward(store, new NDList(x), false);
        squaredError += out.get(0).sub(x).square().sum().getFloat();
        for (float v : out.get(1).toFloatArray()) {
          sum += v;
          sumSquares += (double) v * v;
        }
        float[] pixels = x.toFloatArray();
        for (int i = 0; i < pixels.length; i++) {
          pixelSum[i % pixelSum.length] += pixels[i];
          pixelSumSquares[i % pixelSum.length] += (double) pixels[i] * pixels[i];
        }
      }
    }
    long values = (long) images.length * latent.size();
    double latentMean = sum / values;
    double variance = 0;
    for (int p = 0; p < pixelSum.length; p++) {
      double m = pixelSum[p] / images.length;
      variance += pixelSumSquares[p] / images.length - m * m;
    }
    return new Evaluation(
        squaredError / ((double) images.length * shape.size()),
        variance / pixelSum.length,
        Math.sqrt(sumSquares / values - latentMean * latentMean));
  }

  /**
   * @param mse reconstruction mean squared error per pixel, [0,1] units
   * @param baselineMse the same for predicting the mean image (= mean per-pixel variance)
   * @param latentStd std of all posterior-mean values
   */
  record Evaluation(double mse, double baselineMse, double latentStd) {}

  private static byte[] parameters(ConvVae vae) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      vae.saveParameters(new DataOutputStream(bytes));
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[][] shuffled(byte[][] images, Random random) {
    byte[][] copy = images.clone();
    for (int i = copy.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      byte[] t = copy[i];
      copy[i] = copy[j];
      copy[j] = t;
    }
    return copy;
  }
}
