package org.ddoq.core.eval;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.InputException;

/**
 * A teacher the user brings ({@code ddoq evaluate --teacher FILE}): a TorchScript classifier whose
 * input is the images as float32 in [0, 1], N x C x H x W, and whose output is logits in the data's
 * class order. {@link #read} checks it on the driver before any student trains, and each problem
 * stops the evaluation with one line naming the file and what to do: not TorchScript, images it
 * cannot take, logits of another width than the data's class count, class names (from a JSON beside
 * it, {@link TeacherClasses}) other than the data's, or a test accuracy no better than chance.
 *
 * <p>The module's bytes travel inside the record (one Spark broadcast, no shared file system
 * needed); DJL loads TorchScript from files, so each JVM writes them to a temporary file once,
 * found by sha256.
 *
 * @param classNames the class names its JSON gives, empty when it has none
 * @param seconds the time {@link #read} took (loading, checks and the test split)
 */
public record ImportedTeacher(
    byte[] module,
    String path,
    String sha256,
    int numClasses,
    List<String> classNames,
    double testAccuracy,
    double seconds)
    implements Teacher {
  /** sha256 -> this JVM's copy of the module. */
  private static final Map<String, Path> LOCAL_COPIES = new ConcurrentHashMap<>();

  /** Reads, checks and tests the teacher in {@code file} against data with {@code dataClasses}. */
  public static ImportedTeacher read(
      Path file, List<String> dataClasses, LabelledImages test, Consumer<String> progress) {
    long start = System.nanoTime();
    ImportedTeacher unchecked = readUntested(file, dataClasses, test.shape());
    double accuracy;
    try (Model model = unchecked.newModel();
        NDManager m = NDManager.newBaseManager()) {
      Block net = unchecked.load(model, null);
      progress.accept(
          "testing the imported teacher " + file + " on " + test.size() + " test images");
      accuracy = StudentTraining.accuracy(net, m, test);
    }
    if (accuracy < 1.5 / dataClasses.size()) {
      throw new InputException(
          String.format(
              Locale.ROOT,
              "the teacher %s classifies %.1f %% of the test images"
                  + " correctly, no better than chance (%.1f %%): it does not fit this data (other classes or class order,"
                  + " or pixels not in [0, 1]?); bring a teacher trained on it",
              file,
              100 * accuracy,
              100.0 / dataClasses.size()));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    progress.accept(
        String.format(Locale.ROOT, "imported teacher %s: test accuracy %.4f", file, accuracy));
    return new ImportedTeacher(
        unchecked.module(),
        file.toString(),
        unchecked.sha256(),
        dataClasses.size(),
        unchecked.classNames(),
        accuracy,
        seconds);
  }

  /**
   * Reads and checks the teacher (a TorchScript module, its classes, one batch of {@code shape}
   * images giving one logit per class) without a test split: its test accuracy is NaN. For distill,
   * which sees only the training images.
   */
  public static ImportedTeacher readUntested(
      Path file, List<String> dataClasses, ImageShape shape) {
    byte[] module;
    try {
      module = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InputException(
          "--teacher "
              + file
              + " cannot be read ("
              + e
              + "); give the path of a TorchScript"
              + " file (torch.jit.trace(model, example).save(FILE))");
    }
    List<String> named = TeacherClasses.beside(file);
    if (!named.isEmpty() && !named.equals(dataClasses)) {
      throw new InputException(
          "the teacher "
              + file
              + " is for the classes "
              + named
              + " (its JSON) but the data's"
              + " classes are "
              + dataClasses
              + "; bring a teacher trained on these classes, in this order");
    }
    ImportedTeacher unchecked =
        new ImportedTeacher(
            module, file.toString(), sha256(module), dataClasses.size(), named, Double.NaN, 0);
    try (Model model = unchecked.newModel();
        NDManager m = NDManager.newBaseManager()) {
      checkOutput(unchecked.load(model, null), m, shape, dataClasses.size(), file);
    }
    return unchecked;
  }

  /**
   * One dummy batch of the data's shape: an engine error or a wrong logits width is the user's to
   * fix.
   */
  private static void checkOutput(
      Block net, NDManager m, ImageShape shape, int classes, Path file) {
    Shape input = new Shape(2, shape.channels(), shape.height(), shape.width());
    NDList out;
    try (NDManager sub = m.newSubManager()) {
      try {
        out = net.forward(new ParameterStore(sub, false), new NDList(sub.zeros(input)), false);
      } catch (RuntimeException e) {
        throw new InputException(
            "the teacher "
                + file
                + " cannot take this data's images (2 x "
                + shape.channels()
                + " x "
                + shape.height()
                + " x "
                + shape.width()
                + ", float32 in [0, 1]): "
                + engineMessage(e)
                + "; bring a teacher made for "
                + shape
                + " images");
      }
      Shape logits = out.size() == 1 ? out.head().getShape() : null;
      if (logits == null || logits.dimension() != 2 || logits.get(0) != 2) {
        throw new InputException(
            "the teacher "
                + file
                + " returns "
                + Arrays.toString(out.getShapes())
                + " for 2 images; it must return one (N, classes) tensor of logits");
      }
      if (logits.get(1) != classes) {
        throw new InputException(
            "the teacher "
                + file
                + " returns "
                + logits.get(1)
                + " logits per image but the"
                + " data has "
                + classes
                + " classes; bring a teacher trained on these classes, in their order");
      }
    }
  }

  /**
   * PyTorch's message starts with a TorchScript traceback; its last "XxxError: ..." line says what
   * is wrong.
   */
  static String engineMessage(Throwable e) {
    String message = String.valueOf(e.getMessage());
    String line =
        message
            .lines()
            .filter(l -> l.matches("\\s*\\w*Error: .*"))
            .reduce((a, b) -> b)
            .orElse(message.lines().findFirst().orElse(message))
            .trim();
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  @Override
  public String key() {
    return "imported-" + sha256;
  }

  @Override
  public Model newModel() {
    return Model.newInstance("ddoq-teacher", Device.cpu(), "PyTorch");
  }

  /** {@code inputShape} is unused: a TorchScript module needs no initialisation. */
  @Override
  public Block load(Model model, Shape inputShape) {
    Path file = LOCAL_COPIES.computeIfAbsent(sha256, s -> localCopy());
    try {
      model.load(file, null, Map.of("mapLocation", "true"));
    } catch (IOException | MalformedModelException | RuntimeException e) {
      throw new InputException(
          "the teacher "
              + path
              + " is not a TorchScript module ("
              + engineMessage(e)
              + "); save it with torch.jit.trace(model, example).save(FILE) or torch.jit.script(model).save(FILE)",
          e);
    }
    // Our batches are in [-1, 1]; the module takes [0, 1].
    return new SequentialBlock().addSingleton(x -> x.add(1).div(2)).add(model.getBlock());
  }

  private Path localCopy() {
    try {
      Path dir = Files.createTempDirectory("ddoq-teacher-" + sha256.substring(0, 12));
      Path file = Files.write(dir.resolve("teacher.pt"), module);
      file.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the teacher to a temporary file: " + e.getMessage(), e);
    }
  }

  @Override
  public void describe(ObjectNode teacher) {
    teacher
        .put("source", "imported")
        .put("path", path)
        .put("sha256", sha256)
        .put("test_accuracy", testAccuracy)
        .put("seconds", seconds);
    ArrayNode classes = teacher.putArray("classes");
    classNames.forEach(classes::add);
  }

  @Override
  public String summary() {
    return String.format(
        Locale.ROOT,
        "Teacher (= imported teacher row): TorchScript %s (sha256 %s), imported,"
            + " test accuracy %.2f %%%s.",
        path,
        sha256,
        100 * testAccuracy,
        classNames.isEmpty()
            ? "; no JSON beside it named its classes"
            : "; its classes match the data's");
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
