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
 * Training and inference speed of the ConvNet-3 student (width 128, 28x28). Prints img/s; run it with and
 * without jemalloc (docs/benchmarks.md).
 * {@code mvn -o -B -pl core test -Dtest=StudentSpeedBenchmark -Dddoq.excludedGroups=}
 */
@Tag("slow")
class StudentSpeedBenchmark {
  @Test
  void trainingThroughput() {
    for (int batch : new int[] {100, 256}) {
      System.out.printf("batch %d: training %.0f img/s, inference %.0f img/s%n", batch,
          speed(ConvNet.build(10, 128, 3), batch, true), speed(ConvNet.build(10, 128, 3), batch, false));
    }
  }

  private static double speed(SequentialBlock net, int batch, boolean train) {
    try (Model model = Model.newInstance("bench", Device.cpu())) {
      model.setBlock(net);
      try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss())
          .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build()))) {
        trainer.initialize(new Shape(batch, 1, 28, 28));
        int steps = 0;
        long start = 0;
        for (int i = 0; i < 8; i++) {
          if (i == 2) {
            start = System.nanoTime();
          }
          try (NDManager m = trainer.getManager().newSubManager()) {
            NDArray x = m.randomUniform(-1, 1, new Shape(batch, 1, 28, 28));
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
}
