package org.ddoq.core.eval;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Trains the built-in teacher (~1 hour on 2 cores) so that a stopped training resumes instead of
 * starting over. After every epoch the parameters, the epoch and the step count go to {@code
 * ENTRY/training/checkpoint.bin} (written aside and renamed: whole or absent). Training the same
 * cache key again starts at the epoch after the checkpoint with the learning-rate schedule where it
 * was, on the very batches an uninterrupted training would see (each epoch's order and augmentation
 * depend only on the seed and the epoch). SGD's momentum is not saved: it restarts from zero and
 * builds up again within ~10 steps. Logs epoch, img/s, loss and ETA, and the test accuracy every
 * {@value #TEST_EVERY} epochs.
 */
final class TeacherTraining {
  static final String FOLDER = "training";
  static final String CHECKPOINT = "checkpoint.bin";
  static final int TEST_EVERY = 3;
  private static final int MAGIC = 0x64647463;

  private TeacherTraining() {}

  /** What a training (or its last part, after a resume) produced. */
  record Result(byte[] parameters, double testAccuracy, double seconds, int firstEpoch) {}

  /** The state after {@code epoch}; {@code seconds} of training so far, over every resume. */
  record Checkpoint(int epoch, int steps, double seconds, byte[] parameters) {}

  /**
   * @param afterCheckpoint told each epoch once its checkpoint is written (tests stop a training
   *     there)
   */
  static Result train(
      Path entry,
      LabelledImages train,
      LabelledImages test,
      TeacherRecipe recipe,
      long seed,
      Consumer<String> progress,
      IntConsumer afterCheckpoint) {
    StudentSettings settings = recipe.settings();
    Path file = entry.resolve(FOLDER).resolve(CHECKPOINT);
    Checkpoint last = read(file);
    int first = last == null ? 1 : last.epoch() + 1;
    double before = last == null ? 0 : last.seconds();
    if (last != null) {
      progress.accept(
          String.format(
              Locale.ROOT,
              "resuming the teacher after epoch %d of %d (step %d, %.0f s of"
                  + " training so far) from %s",
              last.epoch(),
              settings.epochs(),
              last.steps(),
              before,
              file));
    }
    int batches = StudentTraining.batchesPerEpoch(train, settings);
    long start = System.nanoTime();
    double[] accuracy = {Double.NaN};
    StudentTraining.EpochEnd end =
        (epoch, loss, model) -> {
          double elapsed = (System.nanoTime() - start) / 1e9;
          write(file, new Checkpoint(epoch, epoch * batches, before + elapsed, parameters(model)));
          String tested = "";
          if (epoch % TEST_EVERY == 0 || epoch == settings.epochs()) {
            accuracy[0] = accuracy(model, test);
            tested = String.format(Locale.ROOT, ", test accuracy %.2f %%", 100 * accuracy[0]);
          }
          double rate = (epoch - first + 1.0) * train.size() / elapsed;
          progress.accept(
              String.format(
                  Locale.ROOT,
                  "teacher epoch %d/%d: loss %.4f, %.0f img/s, ETA %s%s",
                  epoch,
                  settings.epochs(),
                  loss,
                  rate,
                  duration((settings.epochs() - epoch) * train.size() / rate),
                  tested));
          afterCheckpoint.accept(epoch);
        };
    StudentTraining.Plan plan =
        new StudentTraining.Plan(
            seed,
            recipe.schedule(batches),
            first,
            last == null ? 0 : last.steps(),
            last == null ? null : last.parameters(),
            true,
            end);
    try (Model model =
        StudentTraining.train(
            train, settings, plan, null, line -> progress.accept("teacher " + line))) {
      if (Double.isNaN(accuracy[0])) {
        // Stopped after the last epoch's checkpoint: nothing was left to train, but it is still to
        // be tested.
        accuracy[0] = accuracy(model, test);
      }
      return new Result(
          parameters(model), accuracy[0], before + (System.nanoTime() - start) / 1e9, first);
    }
  }

  /**
   * The last checkpoint, or null when there is none (or it cannot be read: then training starts
   * over).
   */
  static Checkpoint read(Path file) {
    if (!Files.exists(file)) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
      if (in.readInt() != MAGIC) {
        return null;
      }
      int epoch = in.readInt();
      int steps = in.readInt();
      double seconds = in.readDouble();
      byte[] parameters = in.readNBytes(in.readInt());
      return new Checkpoint(epoch, steps, seconds, parameters);
    } catch (IOException e) {
      return null;
    }
  }

  private static void write(Path file, Checkpoint c) {
    try {
      Files.createDirectories(file.getParent());
      Path partial = file.resolveSibling(CHECKPOINT + ".partial");
      try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(partial))) {
        out.writeInt(MAGIC);
        out.writeInt(c.epoch());
        out.writeInt(c.steps());
        out.writeDouble(c.seconds());
        out.writeInt(c.parameters().length);
        out.write(c.parameters());
      }
      Files.move(
          partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the teacher's checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  static byte[] parameters(Model model) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      model.getBlock().saveParameters(new DataOutputStream(bytes));
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double accuracy(Model model, LabelledImages test) {
    try (NDManager m = NDManager.newBaseManager()) {
      return StudentTraining.accuracy(model.getBlock(), m, test);
    }
  }

  private static String duration(double seconds) {
    return seconds < 120
        ? String.format(Locale.ROOT, "%.0f s", seconds)
        : String.format(Locale.ROOT, "%.0f min", seconds / 60);
  }
}
