package org.ddoq.core.eval;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.CosineTracker;
import ai.djl.training.tracker.Tracker;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Random;
import java.util.function.Consumer;
import org.ddoq.core.data.ImageShape;

/**
 * Trains a {@link ConvNet} student on a weighted image set, with hard labels or with a teacher's
 * soft labels for the very augmented views it trains on ({@link SoftLabels}: the student never sees
 * a label the teacher did not give for exactly that view), and measures test accuracy. CPU, one DJL
 * model per call, no Spark: {@link EvaluationRuns} runs many of these as Spark tasks.
 */
public final class StudentTraining {
  private static final long PROGRESS_NANOS = 10_000_000_000L;
  private static final int TEST_BATCH = 250;

  /**
   * DJL's PyTorch engine allows one gradient collector per JVM at a time, so trainings in one JVM
   * (two Spark tasks of a local-mode run, or of one multi-core executor) take turns; each then has
   * all of PyTorch's intra-op threads. Separate executors train in parallel. Package-private so
   * that a student's clock ({@link EvaluationRuns}) starts when its turn does.
   */
  static final Object TRAINING_LOCK = new Object();

  private StudentTraining() {}

  /**
   * Called after every epoch with the mean loss and the model as it stands (checkpoints, test
   * accuracy).
   */
  interface EpochEnd {
    void after(int epoch, double meanLoss, Model model);
  }

  /**
   * A training's course beyond its settings; the student's is {@link #studentPlan}, the teacher's
   * resumes.
   *
   * @param learningRate the rate at DJL's update count 1, 2, ...
   * @param firstEpoch 1, or the epoch after a checkpoint
   * @param stepsDone updates before {@code firstEpoch}, so that the schedule continues
   * @param startParameters a checkpoint's parameters; null: initialised from the seed
   * @param drawsPerEpoch true: each epoch's order and augmentation come from (seed, epoch) alone,
   *     so a resumed training sees the batches an uninterrupted one would; false: one random stream
   *     from the seed over all epochs (the student protocol)
   */
  record Plan(
      long seed,
      Tracker learningRate,
      int firstEpoch,
      int stepsDone,
      byte[] startParameters,
      boolean drawsPerEpoch,
      EpochEnd afterEpoch) {}

  /** The student protocol: a cosine from the settings' rate to 0 over all steps, from epoch 1. */
  static Plan studentPlan(LabelledImages set, StudentSettings settings, long seed) {
    return new Plan(
        seed,
        CosineTracker.builder()
            .setBaseValue((float) settings.learningRate())
            .optFinalValue(0f)
            .setMaxUpdates(batchesPerEpoch(set, settings) * settings.epochs())
            .build(),
        1,
        0,
        null,
        false,
        (epoch, loss, model) -> {});
  }

  /**
   * @param teacherOrNull the teacher's logits for the student's views become the targets; null for
   *     hard labels
   * @return the trained model (the caller closes it); same set, settings and seed give the same
   *     model
   */
  public static Model train(
      LabelledImages set,
      StudentSettings settings,
      long seed,
      SoftLabels teacherOrNull,
      Consumer<String> progress) {
    return train(set, settings, studentPlan(set, settings, seed), teacherOrNull, progress);
  }

  static Model train(
      LabelledImages set,
      StudentSettings settings,
      Plan plan,
      SoftLabels teacherOrNull,
      Consumer<String> progress) {
    synchronized (TRAINING_LOCK) {
      return trainAlone(set, settings, plan, teacherOrNull, progress);
    }
  }

  static int batchesPerEpoch(LabelledImages set, StudentSettings settings) {
    int batch = Math.min(settings.batchSize(), set.size());
    return (set.size() + batch - 1) / batch;
  }

  private static Model trainAlone(
      LabelledImages set,
      StudentSettings settings,
      Plan plan,
      SoftLabels teacherOrNull,
      Consumer<String> progress) {
    if (set.size() == 0) {
      throw new IllegalArgumentException("cannot train on an empty set");
    }
    ImageShape shape = set.shape();
    int batch = Math.min(settings.batchSize(), set.size());
    int batchesPerEpoch = batchesPerEpoch(set, settings);
    int stepsToDo = batchesPerEpoch * (settings.epochs() - plan.firstEpoch() + 1);
    Model model = Model.newInstance("ddoq-student", Device.cpu());
    model.setBlock(ConvNet.build(set.numClasses(), settings.width(), settings.depth()));
    // Momentum is not part of a checkpoint: after a resume it builds up again over ~1/(1 -
    // momentum) steps.
    Optimizer sgd =
        Optimizer.sgd()
            .setLearningRateTracker(plan.learningRate())
            .optMomentum((float) settings.momentum())
            .optWeightDecays((float) settings.weightDecay())
            .optBeginNumUpdate(plan.stepsDone())
            .build();
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(Loss.l2Loss()) // the loss is computed below
            .optInitializer(
                new XavierInitializer(
                    XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.IN, 2),
                Parameter.Type.WEIGHT)
            .optOptimizer(sgd);
    float[] weights = set.normalisedWeights();
    Random stream = new Random(plan.seed());
    try (Trainer trainer = model.newTrainer(config)) {
      Engine.getInstance().setRandomSeed((int) plan.seed());
      Shape input = new Shape(batch, shape.channels(), shape.height(), shape.width());
      if (plan.startParameters() != null) {
        // Before Trainer.initialize, which takes up the parameter arrays: loaded after, they would
        // not train.
        model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, input);
        model
            .getBlock()
            .loadParameters(
                model.getNDManager(),
                new DataInputStream(new ByteArrayInputStream(plan.startParameters())));
      }
      trainer.initialize(input);
      long start = System.nanoTime();
      long lastReport = start;
      for (int epoch = plan.firstEpoch(); epoch <= settings.epochs(); epoch++) {
        Random random = plan.drawsPerEpoch() ? new Random(Batches.mix(plan.seed(), epoch)) : stream;
        int[] order = Batches.shuffled(set.size(), random);
        double lossSum = 0;
        for (int b = 0; b < batchesPerEpoch; b++) {
          int from = b * batch;
          int to = Math.min(set.size(), from + batch);
          lossSum +=
              step(trainer, set, weights, order, from, to, settings, teacherOrNull, random, epoch)
                  * (to - from);
          long now = System.nanoTime();
          if (now - lastReport >= PROGRESS_NANOS) {
            lastReport = now;
            int done = (epoch - plan.firstEpoch()) * batchesPerEpoch + b + 1;
            double elapsed = (now - start) / 1e9;
            progress.accept(
                String.format(
                    "epoch %d/%d  %.0f img/s  loss %.4f  ETA %.0f s",
                    epoch,
                    settings.epochs(),
                    (double) done * batch / elapsed,
                    lossSum / to,
                    elapsed * (stepsToDo - done) / done));
          }
        }
        if (!Double.isFinite(lossSum)) {
          throw new IllegalStateException(
              "the training loss became "
                  + lossSum
                  + " in epoch "
                  + epoch
                  + "; on CPUs with AVX-512 set ONEDNN_MAX_CPU_ISA=AVX2 in the environment of every JVM that"
                  + " trains (bin/ddoq and submit-scripts/ do; oneDNN's AVX-512 convolutions gave NaN on AMD"
                  + " EPYC), otherwise lower the learning rate (--lr)");
        }
        plan.afterEpoch().after(epoch, lossSum / set.size(), model);
      }
    } catch (IOException | MalformedModelException e) {
      model.close();
      throw new IllegalStateException(
          "a checkpoint of this training cannot be loaded (" + e.getMessage() + ")", e);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    return model;
  }

  /** One SGD step on {@code order[from..to)}; returns the batch loss. */
  private static float step(
      Trainer trainer,
      LabelledImages set,
      float[] weights,
      int[] order,
      int from,
      int to,
      StudentSettings settings,
      SoftLabels teacher,
      Random random,
      int epoch) {
    try (NDManager m = trainer.getManager().newSubManager()) {
      // Teacher labels: views drawn from (epoch, image), shared by all students of the set; hard
      // labels: drawn from the student's stream, as they always were.
      NDArray x =
          teacher == null
              ? Batches.input(
                  m, set.images(), order, from, to, set.shape(), settings.augmentation(), random)
              : Batches.views(
                  m, set.images(), order, from, to, set.shape(), settings.augmentation(), epoch);
      float[] w = new float[to - from];
      int[] y = new int[to - from];
      for (int i = from; i < to; i++) {
        w[i - from] = weights[order[i]];
        y[i - from] = set.labels()[order[i]];
      }
      NDArray batchWeights = m.create(w);
      NDArray teacherLogits = teacher == null ? null : teacher.logits(m, x, epoch, order, from, to);
      float value;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
        NDArray loss =
            teacher == null
                ? Losses.weightedCrossEntropy(
                    logits, m.create(y).oneHot(set.numClasses()), batchWeights)
                : Losses.weightedSoftLabelKl(
                    logits, teacherLogits, settings.temperature(), batchWeights);
        collector.backward(loss);
        value = loss.getFloat();
      }
      trainer.step();
      return value;
    }
  }

  /** Fraction of {@code test} the network classifies correctly (no augmentation). */
  public static double accuracy(Block net, NDManager manager, LabelledImages test) {
    ParameterStore store = new ParameterStore(manager, false);
    int[] order = Batches.identity(test.size());
    long correct = 0;
    for (int from = 0; from < test.size(); from += TEST_BATCH) {
      int to = Math.min(test.size(), from + TEST_BATCH);
      try (NDManager m = manager.newSubManager()) {
        NDArray x = Batches.input(m, test.images(), order, from, to, test.shape(), null, null);
        long[] predicted =
            net.forward(store, new NDList(x), false).singletonOrThrow().argMax(1).toLongArray();
        for (int i = from; i < to; i++) {
          if (predicted[i - from] == test.labels()[i]) {
            correct++;
          }
        }
      }
    }
    return (double) correct / test.size();
  }
}
