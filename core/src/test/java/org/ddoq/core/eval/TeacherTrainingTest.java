package org.ddoq.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.training.tracker.Tracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.InputException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in teacher's recipe and its resumable training, on a real Fashion-MNIST slice with a
 * narrow net.
 */
class TeacherTrainingTest {
  /**
   * 4 epochs of 12 batches. Momentum 0: SGD then keeps no state beyond the parameters and the step,
   * so a resumed training must end exactly where an uninterrupted one does (with momentum, which a
   * checkpoint does not hold, it ends close by).
   */
  private static final TeacherRecipe SHORT =
      new TeacherRecipe(
          new StudentSettings(4, 50, 0.05, 0, 5e-4, 16, 3, 1f, Augmentation.parse("shift+flip")),
          1);

  private static LabelledImages train;
  private static LabelledImages test;

  @BeforeAll
  static void read() throws IOException {
    train = FashionImages.train(600);
    test = FashionImages.test(500);
  }

  /** What a killed driver leaves: the checkpoint of the last finished epoch. */
  private static final class Killed extends RuntimeException {}

  @Test
  void aStoppedTrainingResumesAtTheNextEpochAndEndsAsAnUninterruptedOne(
      @TempDir Path whole, @TempDir Path stopped) throws IOException {
    BuiltInTeacher uninterrupted =
        BuiltInTeacher.trainOrLoad(whole, train, test, SHORT, 0, line -> {}, e -> {});
    assertTrue(
        uninterrupted.testAccuracy() > 0.5,
        "4 epochs on 600 images: " + uninterrupted.testAccuracy());

    assertThrows(
        Killed.class,
        () ->
            BuiltInTeacher.trainOrLoad(
                stopped,
                train,
                test,
                SHORT,
                0,
                line -> {},
                epoch -> {
                  if (epoch == 2) {
                    throw new Killed();
                  }
                }));
    Path entry = BuiltInTeacher.entry(stopped, BuiltInTeacher.key(train, SHORT, 0));
    assertTrue(
        Files.exists(entry.resolve(TeacherTraining.FOLDER).resolve(TeacherTraining.CHECKPOINT)));
    assertFalse(
        Files.exists(entry.resolve(BuiltInTeacher.FACTS)), "no finished teacher after a stop");

    List<String> log = new ArrayList<>();
    List<Integer> epochs = new ArrayList<>();
    BuiltInTeacher resumed =
        BuiltInTeacher.trainOrLoad(stopped, train, test, SHORT, 0, log::add, epochs::add);
    assertEquals(List.of(3, 4), epochs, "epochs 1 and 2 are not trained again");
    assertTrue(
        log.stream()
            .anyMatch(l -> l.startsWith("resuming the teacher after epoch 2 of 4 (step 24,")),
        log.toString());
    assertArrayEquals(
        uninterrupted.parameters(), resumed.parameters(), "same batches, same schedule, same end");
    assertEquals(uninterrupted.testAccuracy(), resumed.testAccuracy(), 0.0);
    assertFalse(
        Files.exists(entry.resolve(TeacherTraining.FOLDER)),
        "checkpoints are gone once the teacher is in place");
    assertTrue(
        log.stream()
            .anyMatch(
                l ->
                    l.matches(
                        "teacher epoch 4/4: loss [0-9.]+, \\d+ img/s, ETA 0 s, test accuracy"
                            + " [0-9.]+ %")),
        log.toString());

    BuiltInTeacher again =
        BuiltInTeacher.trainOrLoad(
            stopped,
            train,
            test,
            SHORT,
            0,
            line -> {},
            e -> {
              throw new AssertionError("a finished teacher is not trained again");
            });
    assertTrue(again.fromCache());
    assertArrayEquals(resumed.parameters(), again.parameters());
  }

  @Test
  void aFinishedTeachersFolderLoadsForChoosingAndRefusesOtherData(@TempDir Path cache)
      throws IOException {
    TeacherRecipe oneEpoch = SHORT.withEpochs(2);
    BuiltInTeacher trained = BuiltInTeacher.trainOrLoad(cache, train, test, oneEpoch, 0, l -> {});
    Path entry = BuiltInTeacher.entry(cache, trained.key());

    // Width 16 is not the recipe's default: the folder's teacher.json must say it.
    Teacher loaded = Teachers.untested(entry, classNames(10), train.shape());
    float[] fromFolder =
        TeacherConfidence.ofOwnClass(loaded, train.images(), train.labels(), train.shape());
    float[] fromTraining =
        TeacherConfidence.ofOwnClass(trained, train.images(), train.labels(), train.shape());
    assertArrayEquals(fromTraining, fromFolder, 0f);

    InputException wrongClasses =
        assertThrows(
            InputException.class, () -> Teachers.untested(entry, classNames(3), train.shape()));
    assertTrue(
        wrongClasses.getMessage().contains("does not fit this data's 3 classes"),
        wrongClasses.getMessage());
    InputException notATeacher =
        assertThrows(
            InputException.class, () -> Teachers.untested(cache, classNames(10), train.shape()));
    assertTrue(
        notATeacher.getMessage().contains("is not a finished built-in teacher"),
        notATeacher.getMessage());
  }

  private static List<String> classNames(int n) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      names.add("class" + i);
    }
    return names;
  }

  @Test
  void theScheduleWarmsUpLinearlyThenFollowsACosineTowardsZero() {
    TeacherRecipe recipe = new TeacherRecipe(SHORT.settings().withEpochs(5), 1);
    Tracker rate = recipe.schedule(10);
    assertEquals(0.005f, rate.getNewValue(1), 1e-7f);
    assertEquals(0.05f, rate.getNewValue(10), 1e-7f, "the peak at the end of the warm-up epoch");
    assertEquals(0.05f, rate.getNewValue(11), 1e-7f);
    assertEquals(0.025f, rate.getNewValue(31), 1e-6f, "half way through the cosine");
    assertTrue(rate.getNewValue(50) > 0 && rate.getNewValue(50) < 1e-4f, "near 0 at the last step");
    for (int step = 11; step < 50; step++) {
      assertTrue(
          rate.getNewValue(step + 1) < rate.getNewValue(step),
          "decreasing after the warm-up, step " + step);
    }
  }

  @Test
  void theDefaultRecipeTrainsColourImagesLongerThanGreyscale() {
    TeacherRecipe colour = TeacherRecipe.forImages(new ImageShape(3, 32, 32));
    TeacherRecipe grey = TeacherRecipe.forImages(FashionImages.SHAPE);
    assertEquals(40, colour.settings().epochs());
    assertEquals(20, grey.settings().epochs());
    assertEquals(256, colour.settings().batchSize());
    assertEquals(0.05, colour.settings().learningRate());
    assertEquals("shift+flip", colour.settings().augmentation().toString());
    assertEquals(1, colour.warmupEpochs());
    assertEquals(4, colour.withEpochs(4).settings().epochs());
    assertEquals(
        0,
        colour.withEpochs(1).warmupEpochs(),
        "a one-epoch teacher has no warm-up epoch to spare");
  }
}
