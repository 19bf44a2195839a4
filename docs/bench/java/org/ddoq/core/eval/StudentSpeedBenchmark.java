package org.ddoq.core.eval;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Training and inference speed of the ConvNet-3 student (width 128, 28x28). Prints img/s; run it
 * with and without jemalloc (docs/benchmarks.md). {@code mvn -o -B -pl core test
 * -Dtest=StudentSpeedBenchmark -Dddoq.excludedGroups=}
 */
@Tag("slow")
class StudentSpeedBenchmark {
  @Test
  void trainingThroughput() {
    for (int batch : new int[] {100, 256}) {
      System.out.printf(
          "batch %d: training %.0f img/s, inference %.0f img/s%n",
          batch,
          speed(ConvNet.build(10, 128, 3), new Shape(batch, 1, 28, 28), true),
          speed(ConvNet.build(10, 128, 3), new Shape(batch, 1, 28, 28), false));
    }
  }

  /**
   * Images per second of training steps (or inference) on random batches of {@code input}'s shape.
   */
  static double speed(SequentialBlock net, Shape input, boolean train) {
    long batch = input.get(0);
    try (Model model = Model.newInstance("bench", Device.cpu())) {
      model.setBlock(net);
      try (Trainer trainer =
          model.newTrainer(
              new DefaultTrainingConfig(Loss.l2Loss())
                  .optOptimizer(
                      Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build()))) {
        trainer.initialize(input);
        int steps = 0;
        long start = 0;
        for (int i = 0; i < 8; i++) {
          if (i == 2) {
            start = System.nanoTime();
          }
          try (NDManager m = trainer.getManager().newSubManager()) {
            NDArray x = m.randomUniform(-1, 1, input);
            if (train) {
              try (GradientCollector c = trainer.newGradientCollector()) {
                NDArray loss = trainer.forward(new NDList(x)).singletonOrThrow().square().mean();
                c.backward(loss);
              }
              trainer.step();
            } else {
              trainer.evaluate(new NDList(x)).singletonOrThrow().toFloatArray();
            }
          }
          if (i >= 2) {
            steps++;
          }
        }
        return steps * batch / ((System.nanoTime() - start) / 1e9);
      }
    }
  }

  /**
   * The instance norm alone, forward + backward at the ConvNet's three activation sizes (batch
   * 100), fused (layer norm over H x W) against the textbook mean/variance chain, alternating, 7
   * rounds: medians.
   */
  @Test
  void instanceNormFusedAgainstTextbook() {
    long[][] sides = {{28, 28}, {14, 14}, {7, 7}};
    double[][] ms = new double[2][7];
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      for (int round = 0; round < 7; round++) {
        for (int variant = 0; variant < 2; variant++) {
          long start = System.nanoTime();
          for (long[] side : sides) {
            try (NDManager sub = m.newSubManager()) {
              NDArray x = sub.randomNormal(new Shape(100, 128, side[0], side[1]));
              x.setRequiresGradient(true);
              try (GradientCollector c =
                  ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray y = variant == 0 ? InstanceNorm.normalise(x) : InstanceNormTest.textbook(x);
                c.backward(y.sum());
              }
              x.getGradient().getFloat(0, 0, 0, 0);
            }
          }
          ms[variant][round] = (System.nanoTime() - start) / 1e6;
        }
      }
    }
    java.util.Arrays.sort(ms[0]);
    java.util.Arrays.sort(ms[1]);
    System.out.printf(
        "instance norm fwd+bwd, batch 100, 3 layers: fused %.1f ms, textbook %.1f ms (medians of 7)%n",
        ms[0][3], ms[1][3]);
  }
}
