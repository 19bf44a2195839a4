package org.ddoq.core.eval;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.stream.Stream;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.InputException;

/**
 * The built-in teacher: the student's ConvNet trained once on the whole training split with {@link
 * TeacherRecipe}. Trained on the driver and cached under {@code <cache>/teachers/<key>/}
 * (teacher.params + teacher.json), the key being a hash of the training images, labels, recipe and
 * seed, so a second evaluation of the same data reuses it and any change to either trains a new
 * one. A stopped training resumes from its last epoch ({@link TeacherTraining}).
 *
 * @param parameters the network's weights in DJL's parameter format (shipped to Spark tasks as
 *     bytes)
 */
public record BuiltInTeacher(
    byte[] parameters,
    int numClasses,
    TeacherRecipe recipe,
    double testAccuracy,
    double seconds,
    int trainImages,
    String key,
    boolean fromCache)
    implements Teacher {
  static final String PARAMS = "teacher.params";
  static final String FACTS = "teacher.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Loads the cached teacher for this data and recipe, or trains (or resumes), tests and caches
   * one.
   */
  public static BuiltInTeacher trainOrLoad(
      Path cacheDir,
      LabelledImages train,
      LabelledImages test,
      TeacherRecipe recipe,
      long seed,
      Consumer<String> progress) {
    return trainOrLoad(cacheDir, train, test, recipe, seed, progress, epoch -> {});
  }

  /**
   * @param afterCheckpoint told each epoch once its checkpoint is written (tests stop a training
   *     there)
   */
  static BuiltInTeacher trainOrLoad(
      Path cacheDir,
      LabelledImages train,
      LabelledImages test,
      TeacherRecipe recipe,
      long seed,
      Consumer<String> progress,
      IntConsumer afterCheckpoint) {
    String key = key(train, recipe, seed);
    Path dir = entry(cacheDir, key);
    try {
      if (Files.exists(dir.resolve(FACTS)) && Files.exists(dir.resolve(PARAMS))) {
        JsonNode facts = JSON.readTree(dir.resolve(FACTS).toFile());
        progress.accept(
            "using the cached teacher "
                + dir
                + " (test accuracy "
                + facts.path("test_accuracy").asDouble()
                + ")");
        return new BuiltInTeacher(
            Files.readAllBytes(dir.resolve(PARAMS)),
            train.numClasses(),
            recipe,
            facts.path("test_accuracy").asDouble(),
            facts.path("seconds").asDouble(),
            train.size(),
            key,
            true);
      }
      progress.accept(
          "training the teacher on all "
              + train.size()
              + " training images ("
              + recipe
              + "); it is"
              + " cached in "
              + dir
              + " for later evaluations, and a stopped training resumes from its last epoch");
      TeacherTraining.Result trained =
          TeacherTraining.train(dir, train, test, recipe, seed, progress, afterCheckpoint);
      // Written under temporary names and moved, the facts last: a teacher is whole or absent.
      Path tmpParams = Files.write(dir.resolve(PARAMS + ".tmp"), trained.parameters());
      ObjectNode facts =
          JSON.createObjectNode()
              .put("test_accuracy", trained.testAccuracy())
              .put("seconds", trained.seconds())
              .put("train_images", train.size())
              .put("seed", seed)
              .put("recipe", recipe.toString())
              .put("width", recipe.settings().width())
              .put("depth", recipe.settings().depth())
              .put("resumed_at_epoch", trained.firstEpoch());
      Path tmpFacts = dir.resolve(FACTS + ".tmp");
      JSON.writeValue(tmpFacts.toFile(), facts);
      Files.move(
          tmpParams,
          dir.resolve(PARAMS),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      Files.move(
          tmpFacts,
          dir.resolve(FACTS),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      deleteTree(dir.resolve(TeacherTraining.FOLDER));
      progress.accept(
          String.format(
              Locale.ROOT,
              "teacher: test accuracy %.4f after %.0f s of training",
              trained.testAccuracy(),
              trained.seconds()));
      return new BuiltInTeacher(
          trained.parameters(),
          train.numClasses(),
          recipe,
          trained.testAccuracy(),
          trained.seconds(),
          train.size(),
          key,
          false);
    } catch (IOException e) {
      throw new UncheckedIOException("teacher cache " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * A finished teacher from its cache entry ({@code <cache>/teachers/<key>/}, the folder
   * train-teacher names), for uses that have no test split, such as distill choosing among training
   * images. The network's width and depth come from teacher.json (the recipe's defaults for entries
   * written before they were recorded); a wrong class count fails here, on one dummy batch.
   *
   * @throws InputException when the folder is not a finished teacher or does not fit the data
   */
  public static BuiltInTeacher fromEntry(Path dir, int numClasses, ImageShape shape) {
    if (!Files.isRegularFile(dir.resolve(FACTS)) || !Files.isRegularFile(dir.resolve(PARAMS))) {
      throw new InputException(
          dir
              + " is not a finished built-in teacher (no "
              + PARAMS
              + " and "
              + FACTS
              + "); give the folder train-teacher printed, <cache>/teachers/<key>, or a TorchScript"
              + " .pt file");
    }
    try {
      JsonNode facts = JSON.readTree(dir.resolve(FACTS).toFile());
      TeacherRecipe defaults = TeacherRecipe.forImages(shape);
      StudentSettings s = defaults.settings();
      TeacherRecipe recipe =
          new TeacherRecipe(
              new StudentSettings(
                  s.epochs(),
                  s.batchSize(),
                  s.learningRate(),
                  s.momentum(),
                  s.weightDecay(),
                  facts.path("width").asInt(s.width()),
                  facts.path("depth").asInt(s.depth()),
                  s.temperature(),
                  s.augmentation()),
              defaults.warmupEpochs());
      BuiltInTeacher teacher =
          new BuiltInTeacher(
              Files.readAllBytes(dir.resolve(PARAMS)),
              numClasses,
              recipe,
              facts.path("test_accuracy").asDouble(Double.NaN),
              facts.path("seconds").asDouble(),
              facts.path("train_images").asInt(),
              dir.getFileName().toString(),
              true);
      teacher.checkLoads(shape, dir);
      return teacher;
    } catch (IOException e) {
      throw new InputException("the built-in teacher " + dir + " cannot be read: " + e);
    }
  }

  /**
   * One dummy batch through the loaded network: DJL may load weights of another class count without
   * complaint, and the logits' width then tells.
   */
  private void checkLoads(ImageShape shape, Path dir) {
    long width;
    String why;
    try (Model model = newModel();
        NDManager m = NDManager.newBaseManager()) {
      Shape input = new Shape(1, shape.channels(), shape.height(), shape.width());
      Block net = load(model, input);
      width =
          net.forward(new ParameterStore(m, false), new NDList(m.zeros(input)), false)
              .singletonOrThrow()
              .getShape()
              .get(1);
      why = width + " logits";
    } catch (RuntimeException e) {
      width = -1;
      why = e.getMessage();
    }
    if (width != numClasses) {
      throw new InputException(
          "the built-in teacher "
              + dir
              + " does not fit this data's "
              + numClasses
              + " classes of "
              + shape
              + " images ("
              + why
              + "); use the teacher train-teacher trained on this data set");
    }
  }

  /** The cache entry of a key. */
  static Path entry(Path cacheDir, String key) {
    return cacheDir.resolve("teachers").resolve(key);
  }

  @Override
  public Block load(Model model, Shape inputShape) {
    StudentSettings settings = recipe.settings();
    Block block = ConvNet.build(numClasses, settings.width(), settings.depth());
    model.setBlock(block);
    block.initialize(model.getNDManager(), DataType.FLOAT32, inputShape);
    try {
      block.loadParameters(
          model.getNDManager(), new DataInputStream(new ByteArrayInputStream(parameters)));
    } catch (IOException | MalformedModelException e) {
      throw new IllegalStateException(
          "the cached teacher "
              + key
              + " cannot be loaded ("
              + e.getMessage()
              + "); delete its cache directory and run again",
          e);
    }
    return block;
  }

  @Override
  public Model newModel() {
    return Model.newInstance("ddoq-teacher", Device.cpu());
  }

  @Override
  public void describe(ObjectNode teacher) {
    teacher
        .put("source", "built-in")
        .put("test_accuracy", testAccuracy)
        .put("seconds", seconds)
        .put("train_images", trainImages)
        .put("cache_key", key)
        .put("from_cache", fromCache)
        .put("settings", recipe.toString());
  }

  @Override
  public String summary() {
    return String.format(
        Locale.ROOT,
        "Teacher (= whole training set row): %s, %d images, test accuracy %.2f %%," + " %s.",
        recipe,
        trainImages,
        100 * testAccuracy,
        fromCache ? "from the cache" : String.format(Locale.ROOT, "trained in %.0f s", seconds));
  }

  static String key(LabelledImages train, TeacherRecipe recipe, long seed) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < train.size(); i++) {
        sha.update(train.images()[i]);
        sha.update(ByteBuffer.allocate(4).putInt(train.labels()[i]).array());
      }
      sha.update(
          (train.shape() + "|" + train.numClasses() + "|" + recipe + "|" + seed)
              .getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
