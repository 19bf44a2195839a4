package org.ddoq.core.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The epochs of one {@link DitTraining} run: their data, steps, progress lines and the facts they
 * add up to.
 */
final class DitEpochs {
  private static final long PROGRESS_NANOS = 10_000_000_000L;
  private final float[] x0;
  private final int[] labels;
  private final LatentShape shape;
  private final DiffusionSpec diffusion;
  private final DitNoising.Schedule schedule;
  private final DitTrainingConfig config;
  private final Consumer<String> progress;
  private final DitEma ema;
  final int batches;
  private final long start = System.nanoTime();
  private final double earlierSeconds;
  private final int remaining;
  private DitTrainingFacts facts;
  private final List<Double> losses;
  private double firstStep;
  private long lastReport = start;
  private int done;

  DitEpochs(
      float[] x0,
      int[] labels,
      LatentShape shape,
      DiffusionSpec diffusion,
      DitTrainingConfig config,
      Consumer<String> progress,
      DitTrainingFacts facts,
      DitEma ema) {
    this.ema = ema;
    this.x0 = x0;
    this.labels = labels;
    this.shape = shape;
    this.diffusion = diffusion;
    this.schedule = DitNoising.Schedule.of(diffusion);
    this.config = config;
    this.progress = progress;
    this.batches = (labels.length + config.batchSize() - 1) / config.batchSize();
    this.remaining = (config.epochs() - facts.epochs()) * batches;
    this.facts = facts;
    this.earlierSeconds = facts.seconds();
    this.losses = new ArrayList<>(facts.lossPerEpoch());
    this.firstStep = facts.firstStepLoss();
  }

  /** Trains one epoch; its mean loss, or NaN as soon as a step's loss is not finite. */
  double epoch(Trainer trainer, int epoch) {
    // One seed per epoch, so a resumed (or repeated) epoch draws what an uninterrupted one would
    // have.
    Random random = new Random(config.seed() * 1_000_003L + epoch);
    int n = labels.length;
    int[] order = DitNoising.permutation(n, random);
    double lossSum = 0;
    for (int b = 0; b < batches; b++) {
      int from = b * config.batchSize();
      int count = Math.min(n, from + config.batchSize()) - from;
      float loss =
          step(
              trainer,
              DitNoising.Batch.draw(
                  x0,
                  labels,
                  order,
                  from,
                  count,
                  shape.size(),
                  diffusion,
                  schedule,
                  config.prediction(),
                  random),
              shape);
      if (!Float.isFinite(loss)) {
        return Double.NaN;
      }
      ema.update(facts.steps() + b + 1);
      if (Double.isNaN(firstStep)) {
        firstStep = loss;
      }
      lossSum += (double) loss * count;
      done++;
      long now = System.nanoTime();
      if (now - lastReport >= PROGRESS_NANOS || b == batches - 1) {
        lastReport = now;
        double elapsed = (now - start) / 1e9;
        progress.accept(
            String.format(
                "epoch %d/%d step %d/%d (total %d)  %.0f img/s  loss %.4f  ETA %.0f s",
                epoch,
                config.epochs(),
                b + 1,
                batches,
                facts.steps() + b + 1,
                (double) done * config.batchSize() / elapsed,
                loss,
                elapsed * Math.max(0, remaining - done) / done));
      }
    }
    return lossSum / n;
  }

  DitTrainingFacts finish(int epoch, double meanLoss) {
    losses.add(meanLoss);
    facts =
        facts.after(
            epoch,
            facts.steps() + batches,
            earlierSeconds + (System.nanoTime() - start) / 1e9,
            firstStep,
            losses);
    return facts;
  }

  /**
   * One Adam step on the MSE to the target (eps or v); the batch's arrays die with the sub-manager.
   */
  static float step(Trainer trainer, DitNoising.Batch batch, LatentShape shape) {
    try (NDManager m = trainer.getManager().newSubManager()) {
      int count = batch.t().length;
      Shape latents = new Shape(count, shape.channels(), shape.height(), shape.width());
      NDList inputs =
          new NDList(
              m.create(batch.xt(), latents),
              m.create(batch.t()),
              m.create(batch.y()),
              m.create(batch.drop()));
      NDArray target = m.create(batch.target(), latents);
      float value;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray loss = trainer.forward(inputs).head().sub(target).square().mean();
        collector.backward(loss);
        value = loss.getFloat();
      }
      trainer.step();
      return value;
    }
  }
}
