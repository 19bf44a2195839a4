package org.ddoq.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.ddoq.core.data.ImageShape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The teacher's soft labels computed once per set: every student of a set sees the same view of
 * image i in epoch e whatever its seed and batch order, so a table of the teacher's logits serves
 * them all and gives what the teacher would say online.
 */
class SoftLabelsTest {
  private static final ImageShape SHAPE = FashionImages.SHAPE;
  private static final StudentSettings NARROW =
      new StudentSettings(30, 64, 0.01, 0.9, 5e-4, 32, 3, 4f, Augmentation.parse("dsa"));
  private static LabelledImages train;
  private static LabelledImages test;
  private static Model teacher;

  @BeforeAll
  static void read() throws IOException {
    train = FashionImages.train(400);
    test = FashionImages.test(1000);
    teacher = StudentTraining.train(train, NARROW.withEpochs(10), 3, null, line -> {});
  }

  @AfterAll
  static void close() {
    teacher.close();
  }

  private static float[] pixelsOf(NDArray batch, int row) {
    float[] all = batch.toFloatArray();
    return Arrays.copyOfRange(all, row * SHAPE.size(), (row + 1) * SHAPE.size());
  }

  @Test
  void aViewDependsOnItsEpochAndImageNotOnTheBatchItIsIn() {
    try (NDManager m = NDManager.newBaseManager()) {
      Augmentation dsa = NARROW.augmentation();
      NDArray alone = Batches.views(m, train.images(), new int[] {3}, 0, 1, SHAPE, dsa, 5);
      NDArray inABatch =
          Batches.views(m, train.images(), new int[] {7, 0, 3, 9}, 0, 4, SHAPE, dsa, 5);
      assertArrayEquals(
          pixelsOf(alone, 0), pixelsOf(inABatch, 2), "image 3 in epoch 5, alone or third of four");
      int differ = 0;
      for (int image = 0; image < 20; image++) {
        int[] one = {image};
        differ +=
            Arrays.equals(
                    pixelsOf(Batches.views(m, train.images(), one, 0, 1, SHAPE, dsa, 5), 0),
                    pixelsOf(Batches.views(m, train.images(), one, 0, 1, SHAPE, dsa, 6), 0))
                ? 0
                : 1;
      }
      assertTrue(
          differ >= 15,
          "another epoch, another view (a flip drawn as 'no flip' keeps it): " + differ + " of 20");
    }
  }

  @Test
  void theTableHoldsWhatTheTeacherSaysOnlineAboutEachView() {
    LabelledImages set = tenPerClass();
    StudentSettings settings = NARROW.withEpochs(3);
    SoftLabels.Table table = SoftLabels.Table.compute(set, settings, teacher.getBlock());
    assertEquals(3 * 100 * 10, table.values().length);
    SoftLabels online = SoftLabels.online(teacher.getBlock());
    int[] order = Batches.shuffled(set.size(), new java.util.Random(11));
    try (NDManager m = NDManager.newBaseManager()) {
      for (int epoch = 1; epoch <= 3; epoch++) {
        NDArray views =
            Batches.views(m, set.images(), order, 40, 72, SHAPE, settings.augmentation(), epoch);
        assertArrayEquals(
            online.logits(m, views, epoch, order, 40, 72).toFloatArray(),
            table.logits(m, views, epoch, order, 40, 72).toFloatArray(),
            1e-4f,
            "epoch " + epoch);
      }
    }
  }

  /** The table replaces the teacher's forward passes without changing what the student learns. */
  @Test
  void aStudentLearnsTheSameFromTheTableAsFromTheTeacherOnline() {
    LabelledImages set = tenPerClass();
    SoftLabels.Table table = SoftLabels.Table.compute(set, NARROW, teacher.getBlock());
    try (Model fromTable = StudentTraining.train(set, NARROW, 4, table, line -> {});
        Model online =
            StudentTraining.train(
                set, NARROW, 4, SoftLabels.online(teacher.getBlock()), line -> {});
        NDManager m = NDManager.newBaseManager()) {
      double a = StudentTraining.accuracy(fromTable.getBlock(), m, test);
      double b = StudentTraining.accuracy(online.getBlock(), m, test);
      assertTrue(a > 0.5, "100 images with the table's soft labels: " + a);
      assertEquals(b, a, 0.02, "table " + a + " against online " + b);
    }
  }

  @Test
  void theStudentsOfOneSetShareATableARandomSubsetComputesItsOwn() {
    LabelledImages set = tenPerClass();
    float[] other = new float[set.size()];
    Arrays.fill(other, 2f);
    other[0] = 7f;
    EvaluationRuns.Run uniform = new EvaluationRuns.Run("uniform@fm", 0, set);
    EvaluationRuns.Run mass = new EvaluationRuns.Run("mass@fm", 1, set.withWeights(other));
    EvaluationRuns.Run random =
        new EvaluationRuns.Run("random@ipc10", 0, RandomSubset.draw(train, 10, 0));
    List<List<EvaluationRuns.Run>> groups =
        SoftLabels.sharing(List.of(uniform, random, mass), NARROW);
    assertEquals(List.of(List.of(uniform, mass)), groups, "same images, other weights: one table");
    assertFalse(
        SoftLabels.sharing(List.of(uniform, mass), NARROW.withEpochs(10_000_000)).size() > 0,
        "a table above "
            + (SoftLabels.MAX_TABLE_BYTES >> 20)
            + " MB is not built: each student goes online");
  }

  private static LabelledImages tenPerClass() {
    return RandomSubset.draw(train, 10, 1);
  }
}
