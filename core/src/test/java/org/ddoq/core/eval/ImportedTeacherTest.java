package org.ddoq.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.InputException;
import org.ddoq.core.prior.TorchScriptPython;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `--teacher FILE`: tiny TorchScript teachers written by src/test/python/tiny_teacher.py (Debian's
 * python3-torch), imported against a real Fashion-MNIST slice. A good one is tested and teaches a
 * student; each broken one is refused with one line that names the file and says what to do.
 */
class ImportedTeacherTest {
  static final List<String> FASHION =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");
  private static final ImageShape SHAPE = FashionImages.SHAPE;
  private static LabelledImages train;
  private static LabelledImages test;

  @TempDir static Path dir;

  @BeforeAll
  static void read() throws IOException {
    train = FashionImages.train(400);
    test = FashionImages.test(1000);
  }

  /** Runs the script; returns its stdout lines (logits with --print-test). */
  static List<String> tinyTeacher(Path out, String... options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("basedir", "."))
                    .resolve("src/test/python/tiny_teacher.py")
                    .toString(),
                "--out",
                out.toString()));
    args.addAll(List.of(options));
    return TorchScriptPython.run(args);
  }

  private static InputException refused(Path file, List<String> classes) {
    return assertThrows(
        InputException.class, () -> ImportedTeacher.read(file, classes, test, line -> {}));
  }

  @Test
  void aTorchScriptTeacherIsTestedAndGivesSoftLabelsToAStudent() throws Exception {
    Path file = dir.resolve("good.pt");
    float[][] python = TorchScriptPython.floats(tinyTeacher(file, "--print-test", "3"));
    ImportedTeacher teacher = ImportedTeacher.read(file, FASHION, test, line -> {});
    assertTrue(
        teacher.testAccuracy() > 0.6,
        "trained for 3 epochs on 2,000 images: " + teacher.testAccuracy());
    String sha =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    assertEquals(
        "imported-" + sha, teacher.key(), "the file's identity is in every student's fingerprint");

    // As a Spark task gets it: serialized with its bytes, written to a local file again by the
    // executor.
    ImportedTeacher shipped = roundTrip(teacher);
    try (Model model = shipped.newModel();
        NDManager m = NDManager.newBaseManager()) {
      Block net = shipped.load(model, null);
      // Our batches are in [-1, 1]; the teacher must see what PyTorch saw, [0, 1].
      NDList x =
          new NDList(Batches.input(m, test.images(), Batches.identity(3), 0, 3, SHAPE, null, null));
      float[] logits =
          net.forward(new ParameterStore(m, false), x, false).singletonOrThrow().toFloatArray();
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(
            python[i], Arrays.copyOfRange(logits, 10 * i, 10 * i + 10), 1e-4f, "test image " + i);
      }
      LabelledImages small = FashionImages.tenPerClass(train);
      StudentSettings narrow =
          new StudentSettings(40, 64, 0.01, 0.9, 5e-4, 32, 3, 4f, Augmentation.parse("dsa"));
      try (Model student =
          StudentTraining.train(small, narrow, 4, SoftLabels.online(net), line -> {})) {
        double accuracy = StudentTraining.accuracy(student.getBlock(), m, test);
        assertTrue(
            accuracy > 0.5,
            "a student of 100 images with the imported teacher's labels: " + accuracy);
      }
    }
  }

  @Test
  void aFileThatIsNotTorchScriptIsRefused() throws IOException {
    Path file = Files.writeString(dir.resolve("notes.pt"), "this is not a model\n");
    InputException e = refused(file, FASHION);
    assertTrue(
        e.getMessage().contains(file + " is not a TorchScript module")
            && e.getMessage().contains("torch.jit.trace"),
        e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }

  @Test
  void logitsOfAnotherClassCountAreRefused() {
    Path file = dir.resolve("seven.pt");
    tinyTeacher(file, "--epochs", "0", "--classes", "7");
    InputException e = refused(file, FASHION);
    assertTrue(
        e.getMessage().contains(file + " returns 7 logits per image but the data has 10 classes"),
        e.getMessage());
  }

  @Test
  void imagesOfAnotherShapeAreRefused() {
    Path file = dir.resolve("colour.pt");
    tinyTeacher(file, "--epochs", "0", "--channels", "3");
    InputException e = refused(file, FASHION);
    assertTrue(
        e.getMessage().contains(file + " cannot take this data's images (2 x 1 x 28 x 28")
            && e.getMessage().contains("channels"),
        e.getMessage());
    assertEquals(
        1,
        e.getMessage().lines().count(),
        "PyTorch's traceback is cut to its error: " + e.getMessage());
  }

  @Test
  void classNamesOtherThanTheDatasAreRefusedNamingBoth() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("cifar"));
    Path file = folder.resolve("resnet.pt");
    tinyTeacher(file, "--epochs", "0");
    Files.writeString(
        folder.resolve("resnet.json"),
        "{\"classes\": [\"airplane\", \"automobile\", \"bird\","
            + " \"cat\", \"deer\", \"dog\", \"frog\", \"horse\", \"ship\", \"truck\"]}");
    InputException e = refused(file, FASHION);
    assertTrue(
        e.getMessage().contains("[airplane, automobile,")
            && e.getMessage().contains("[T-shirt/top, Trouser,"),
        e.getMessage());
  }

  @Test
  void aTeacherNoBetterThanChanceIsRefused() {
    Path file = dir.resolve("constant.pt");
    tinyTeacher(file, "--epochs", "0", "--constant");
    InputException e = refused(file, FASHION);
    assertTrue(e.getMessage().contains("no better than chance (10.0 %)"), e.getMessage());
  }

  /**
   * The JSON beside the file: its own NAME.json first, else the folder's teachers.json
   * (shared/data/teachers layout).
   */
  @Test
  void theClassNamesComeFromTheJsonBesideTheTeacher() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("named"));
    Files.writeString(
        folder.resolve("teachers.json"),
        "{\"classes\": [\"a\", \"b\"], \"teachers\": {"
            + "\"first\": {\"file\": \"first.pt\"}, \"second\": {\"file\": \"second.pt\", \"classes\": [\"x\", \"y\"]}}}");
    assertEquals(List.of("a", "b"), TeacherClasses.beside(folder.resolve("first.pt")));
    assertEquals(List.of("x", "y"), TeacherClasses.beside(folder.resolve("second.pt")));
    assertEquals(
        List.of(), TeacherClasses.beside(folder.resolve("unlisted.pt")), "not listed: no names");
    Files.writeString(folder.resolve("first.json"), "{\"classes\": [\"own\", \"names\"]}");
    assertEquals(List.of("own", "names"), TeacherClasses.beside(folder.resolve("first.pt")));
    Files.writeString(folder.resolve("first.json"), "{\"classes\": [");
    InputException e =
        assertThrows(InputException.class, () -> TeacherClasses.beside(folder.resolve("first.pt")));
    assertTrue(
        e.getMessage().contains("first.json") && e.getMessage().contains("not valid JSON"),
        e.getMessage());
  }

  private static ImportedTeacher roundTrip(ImportedTeacher teacher)
      throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(teacher);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (ImportedTeacher) in.readObject();
    }
  }
}
