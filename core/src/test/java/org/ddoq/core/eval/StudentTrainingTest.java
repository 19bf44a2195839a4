package org.ddoq.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Arrays;
import org.ddoq.core.data.ImageShape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Short trainings of a narrow ConvNet on the real Fashion-MNIST (the protocol's width is for
 * benchmarks).
 */
class StudentTrainingTest {
  private static final ImageShape SHAPE = new ImageShape(1, 28, 28);
  private static final StudentSettings NARROW =
      new StudentSettings(15, 64, 0.01, 0.9, 5e-4, 32, 3, 4f, Augmentation.parse("dsa"));
  private static LabelledImages train;
  private static LabelledImages test;

  @BeforeAll
  static void read() throws IOException {
    train = FashionImages.train(400);
    test = FashionImages.test(1000);
  }

  private static double trainAndTest(
      LabelledImages set, StudentSettings settings, long seed, Model teacher) {
    try (Model student =
            StudentTraining.train(
                set,
                settings,
                seed,
                teacher == null ? null : SoftLabels.online(teacher.getBlock()),
                line -> {});
        NDManager m = NDManager.newBaseManager()) {
      return StudentTraining.accuracy(student.getBlock(), m, test);
    }
  }

  @Test
  void hardLabelsLearnTheClassesAndTheSameSeedGivesTheSameNetwork() {
    double first = trainAndTest(train, NARROW, 1, null);
    assertTrue(
        first > 0.6, "400 real images should give well above the 10 % of chance, got " + first);
    assertEquals(first, trainAndTest(train, NARROW, 1, null), 0.0, "same seed, same accuracy");
  }

  /** A zero weight removes an image: classes weighted 0 are never predicted right. */
  @Test
  void weightsReachTheLoss() {
    float[] weights = new float[train.size()];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = train.labels()[i] < 5 ? 1f : 0f;
    }
    try (Model student =
            StudentTraining.train(train.withWeights(weights), NARROW, 2, null, line -> {});
        NDManager m = NDManager.newBaseManager()) {
      double total = StudentTraining.accuracy(student.getBlock(), m, test);
      int[] firstHalf =
          Arrays.stream(Batches.identity(test.size())).filter(i -> test.labels()[i] < 5).toArray();
      LabelledImages seen =
          LabelledImages.unweighted(
              Arrays.stream(firstHalf).mapToObj(i -> test.images()[i]).toArray(byte[][]::new),
              Arrays.stream(firstHalf).map(i -> test.labels()[i]).toArray(),
              SHAPE,
              10);
      double onSeen = StudentTraining.accuracy(student.getBlock(), m, seen);
      // Overall accuracy is about half of the accuracy on the weighted classes: the others are all
      // wrong.
      assertTrue(onSeen > 0.6, "classes 0-4 " + onSeen);
      assertTrue(total < 0.6 * onSeen + 0.05, "all classes " + total + " vs classes 0-4 " + onSeen);
    }
  }

  @Test
  void teacherLabelsTrainAStudentFromTenImagesPerClass() {
    try (Model teacher = StudentTraining.train(train, NARROW, 3, null, line -> {})) {
      double accuracy =
          trainAndTest(FashionImages.tenPerClass(train), NARROW.withEpochs(40), 4, teacher);
      assertTrue(accuracy > 0.5, "teacher-labelled student " + accuracy);
    }
  }
}
