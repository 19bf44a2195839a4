package org.ddoq.core.prior;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Trains the prior's {@link Dit} on CPU (train-prior's second half; no Spark here): DiT's
 * objective, the mean squared error between the noise epsilon and the model's prediction for x_t =
 * sqrt(abar_t) x_0 + sqrt(1 - abar_t) epsilon, with t uniform in 0..T-1, epsilon ~ N(0, I), x_0 =
 * latent * scaleFactor, the linear schedule of {@link DiffusionSpec#dit} (T = 1000), and labels
 * replaced by the null label with probability {@link Dit#LABEL_DROPOUT}. Adam with a fixed learning
 * rate after a linear warm-up of {@value #WARMUP_STEPS} steps (or one epoch, if shorter).
 *
 * <p>Every epoch writes a checkpoint ({@link DitTrainingFacts#CHECKPOINT_FILE}: weights, epoch,
 * step, loss curve) and {@link DitTrainingFacts#FILE_NAME}. A killed run started again with the
 * same settings continues after the last finished epoch; each epoch draws its order, timesteps,
 * noise and drops from a seed of its own, so a resumed run sees the same data as an uninterrupted
 * one. Adam's moments are not saved: they restart at the resumed epoch (a brief, harmless bump in
 * the loss). The prior keeps the moving average of the weights ({@link DitEma}), which the
 * checkpoint saves too.
 */
public final class DitTraining {
  /** File name of the trained DiT's weights (DJL parameter format) in the prior directory. */
  public static final String WEIGHTS_FILE = "dit.params";

  /** Steps of linear learning-rate warm-up at the start of every run. */
  static final int WARMUP_STEPS = 500;

  /** Tries per epoch before a non-finite loss stops training (see {@code fit}). */
  private static final int MAX_ATTEMPTS = 3;

  private DitTraining() {}

  /**
   * Trains (or resumes), writes {@value #WEIGHTS_FILE} and an updated prior.json into {@code
   * priorDir}, and returns that spec: {@code vaePrior} with the diffusion model added.
   *
   * @param latents unscaled posterior means, {@code vaePrior.latentSize()} floats each (CHW)
   * @param labels class of each latent, 0..numClasses-1 (numClasses = {@code
   *     vaePrior.classNames().size()})
   * @param progress receives a line at least every ~10 s (step, images/s, loss, ETA) and one per
   *     epoch
   */
  public static PriorSpec train(
      float[][] latents,
      int[] labels,
      PriorSpec vaePrior,
      Path priorDir,
      DitTrainingConfig config,
      Consumer<String> progress) {
    int numClasses = vaePrior.classNames().size();
    float[] x0 = scaledLatents(latents, labels, vaePrior, numClasses);
    LatentShape shape = vaePrior.latentShape();
    DiffusionSpec diffusion = DiffusionSpec.dit(numClasses, false);
    Dit.Config arch = config.dit();
    DitTrainingFacts facts =
        new DitTrainingFacts(
            config.model(),
            arch.architecture(),
            latents.length,
            numClasses,
            config.batchSize(),
            config.learningRate(),
            config.seed(),
            0,
            0,
            0,
            Double.NaN,
            List.of(),
            config.emaDecay(),
            List.of());
    Engine.getInstance().setRandomSeed((int) config.seed());
    Dit dit = new Dit(shape, numClasses, arch, Dit.LABEL_DROPOUT);
    int engineThreads = JniUtils.getNumThreads();
    if (config.threads() > 0) {
      JniUtils.setNumThreads(config.threads());
    }
    try (Model model = Model.newInstance("ddoq-dit", Device.cpu())) {
      model.setBlock(dit);
      dit.initialize(model.getNDManager());
      DitEma ema =
          new DitEma(
              dit,
              new Dit(shape, numClasses, arch, Dit.LABEL_DROPOUT),
              model.getNDManager(),
              config.emaDecay());
      facts = resumeIfPossible(priorDir, dit, ema, model.getNDManager(), facts, config, progress);
      progress.accept(
          String.format(
              "training DiT %s (%s, %d tokens) on %d latents %s x %.4f, epochs %d..%d, %s",
              arch.name(),
              arch.architecture(),
              dit.tokens(),
              latents.length,
              shape,
              vaePrior.scaleFactor(),
              facts.epochs() + 1,
              config.epochs(),
              config));
      facts = fit(model, dit, ema, x0, labels, shape, diffusion, config, facts, priorDir, progress);
      Path weights = priorDir.resolve(WEIGHTS_FILE);
      Path tmp = priorDir.resolve(WEIGHTS_FILE + ".tmp");
      Files.write(tmp, ema.averageBytes());
      Files.move(tmp, weights, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the DiT to " + priorDir, e);
    } finally {
      JniUtils.setNumThreads(engineThreads);
    }
    PriorSpec spec =
        vaePrior.withDiffusion(
            diffusion, Map.of(PriorSpec.ROLE_DIT, WEIGHTS_FILE), arch.architecture());
    spec.write(priorDir);
    progress.accept(
        String.format(
            "wrote DiT to %s: %d epochs, %.0f s, loss per epoch %s",
            priorDir, facts.epochs(), facts.seconds(), facts.lossPerEpoch()));
    return spec;
  }

  private static DitTrainingFacts resumeIfPossible(
      Path priorDir,
      Dit dit,
      DitEma ema,
      NDManager manager,
      DitTrainingFacts fresh,
      DitTrainingConfig config,
      Consumer<String> progress)
      throws IOException {
    if (!config.resume()) {
      return fresh;
    }
    byte[][] average = new byte[1][];
    DitTrainingFacts saved =
        DitTrainingFacts.readCheckpoint(
            priorDir,
            dit,
            manager,
            f -> f.sameSettings(fresh) && f.epochs() <= config.epochs(),
            bytes -> average[0] = bytes);
    if (saved == null) {
      return fresh;
    }
    if (!saved.sameSettings(fresh) || saved.epochs() > config.epochs()) {
      progress.accept(
          "ignoring the checkpoint in "
              + priorDir
              + " ("
              + saved.epochs()
              + " epochs with other"
              + " settings: "
              + saved.architecture()
              + ", batch "
              + saved.batchSize()
              + "); starting afresh");
      return fresh;
    }
    ema.restore(average[0], manager);
    progress.accept(
        "resuming from the checkpoint after epoch "
            + saved.epochs()
            + " (step "
            + saved.steps()
            + ", loss per epoch "
            + saved.lossPerEpoch()
            + ")");
    return saved.epochs() < config.epochs() ? saved.resumed() : saved;
  }

  private static DitTrainingFacts fit(
      Model model,
      Dit dit,
      DitEma ema,
      float[] x0,
      int[] labels,
      LatentShape shape,
      DiffusionSpec diffusion,
      DitTrainingConfig config,
      DitTrainingFacts facts,
      Path priorDir,
      Consumer<String> progress)
      throws IOException {
    DitEpochs run = new DitEpochs(x0, labels, shape, diffusion, config, progress, facts, ema);
    Trainer trainer = newTrainer(model, config, run.batches, shape);
    try {
      for (int epoch = facts.epochs() + 1; epoch <= config.epochs(); epoch++) {
        byte[] start = DitEma.bytes(dit);
        byte[] startAverage = ema.averageBytes();
        double loss = run.epoch(trainer, epoch);
        for (int attempt = 2; Double.isNaN(loss); attempt++) {
          // Seen in every full run so far (e.g. warm-up step 107 at learning rate 6e-5; epoch 12 at
          // a steady loss of 0.16), never at the same step with the same data: a faulty CPU kernel,
          // like the AVX-512 convolutions PatchConv avoids, not divergence. So: restore the epoch's
          // start and repeat it.
          if (attempt > MAX_ATTEMPTS) {
            throw new IllegalStateException(
                "DiT training produced a non-finite loss in epoch "
                    + epoch
                    + " "
                    + MAX_ATTEMPTS
                    + " times; the checkpoint after epoch "
                    + (epoch - 1)
                    + " is intact; lower the"
                    + " learning rate ("
                    + config.learningRate()
                    + ") and run again to resume");
          }
          progress.accept(
              "epoch "
                  + epoch
                  + ": non-finite loss; restoring the weights of the epoch's start and"
                  + " repeating it with fresh Adam moments (attempt "
                  + attempt
                  + " of "
                  + MAX_ATTEMPTS
                  + ")");
          trainer.close();
          dit.loadParameters(
              model.getNDManager(), new DataInputStream(new ByteArrayInputStream(start)));
          ema.restore(startAverage, model.getNDManager());
          trainer = newTrainer(model, config, run.batches, shape);
          loss = run.epoch(trainer, epoch);
        }
        facts = run.finish(epoch, loss);
        facts.writeCheckpoint(priorDir, dit, ema.averageBytes());
        progress.accept(
            String.format(
                "epoch %d/%d done: mean loss %.5f; checkpoint written (%.0f s so far)",
                epoch, config.epochs(), loss, facts.seconds()));
      }
    } catch (ai.djl.MalformedModelException e) {
      throw new IllegalStateException("could not restore the DiT's own weights", e);
    } finally {
      trainer.close();
    }
    return facts;
  }

  /**
   * Adam with a linear warm-up over at most the first epoch: Adam's first, poorly estimated steps
   * stay small. A resumed or repeated epoch warms up again, since its Adam moments start afresh.
   */
  private static Trainer newTrainer(
      Model model, DitTrainingConfig config, int batches, LatentShape shape) {
    Tracker rate =
        Tracker.warmUp()
            .optWarmUpBeginValue(0f)
            .optWarmUpSteps(Math.min(WARMUP_STEPS, batches))
            .setMainTracker(Tracker.fixed((float) config.learningRate()))
            .build();
    Trainer trainer =
        model.newTrainer(
            new DefaultTrainingConfig(Loss.l2Loss())
                .optOptimizer(Adam.builder().optLearningRateTracker(rate).build()));
    Shape batch = new Shape(config.batchSize());
    trainer.initialize(
        new Shape(config.batchSize(), shape.channels(), shape.height(), shape.width()),
        batch,
        batch,
        batch);
    return trainer;
  }

  /** Validates shapes and labels; all latents times the scale factor, in one flat array. */
  private static float[] scaledLatents(
      float[][] latents, int[] labels, PriorSpec prior, int numClasses) {
    if (latents.length == 0 || latents.length != labels.length) {
      throw new IllegalArgumentException(
          "need as many labels as latents (at least one), got "
              + latents.length
              + " latents and "
              + labels.length
              + " labels");
    }
    int size = prior.latentSize();
    float scale = (float) prior.scaleFactor();
    float[] x0 = new float[latents.length * size];
    for (int i = 0; i < latents.length; i++) {
      if (latents[i].length != size) {
        throw new IllegalArgumentException(
            "latent "
                + i
                + " has "
                + latents[i].length
                + " values, expected "
                + size
                + " for "
                + prior.latentShape());
      }
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " of latent " + i + " is outside 0.." + (numClasses - 1));
      }
      for (int j = 0; j < size; j++) {
        if (!Float.isFinite(latents[i][j])) {
          throw new IllegalArgumentException(
              "latent "
                  + i
                  + " holds "
                  + latents[i][j]
                  + " at "
                  + j
                  + "; encode the images again (a non-finite latent would turn every weight into NaN)");
        }
        x0[i * size + j] = latents[i][j] * scale;
      }
    }
    return x0;
  }
}
