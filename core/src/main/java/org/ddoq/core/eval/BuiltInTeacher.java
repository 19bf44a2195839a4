package org.ddoq.core.eval;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The built-in teacher: the student's ConvNet trained once on the whole training split. Trained on the driver
 * and cached under {@code <cache>/teachers/<key>/} (teacher.params + teacher.json), the key being a hash
 * of the training images, labels and settings, so a second evaluation of the same data reuses it and any
 * change to either trains a new one.
 *
 * @param parameters the network's weights in DJL's parameter format (shipped to Spark tasks as bytes)
 */
public record BuiltInTeacher(byte[] parameters, int numClasses, StudentSettings settings, double testAccuracy,
                             double seconds, int trainImages, String key, boolean fromCache) implements Teacher {
  static final String PARAMS = "teacher.params";
  static final String FACTS = "teacher.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Loads the cached teacher for this data and settings, or trains, tests and caches one. */
  public static BuiltInTeacher trainOrLoad(Path cacheDir, LabelledImages train, LabelledImages test,
                                    StudentSettings settings, long seed, Consumer<String> progress) {
    String key = key(train, settings, seed);
    Path dir = cacheDir.resolve("teachers").resolve(key);
    try {
      if (Files.exists(dir.resolve(FACTS)) && Files.exists(dir.resolve(PARAMS))) {
        JsonNode facts = JSON.readTree(dir.resolve(FACTS).toFile());
        progress.accept("using the cached teacher " + dir + " (test accuracy "
            + facts.path("test_accuracy").asDouble() + ")");
        return new BuiltInTeacher(Files.readAllBytes(dir.resolve(PARAMS)), train.numClasses(), settings,
            facts.path("test_accuracy").asDouble(), facts.path("seconds").asDouble(), train.size(), key, true);
      }
      progress.accept("training the teacher on all " + train.size() + " training images (" + settings.epochs()
          + " epochs); it is cached in " + dir + " for later evaluations");
      long start = System.nanoTime();
      byte[] params;
      double accuracy;
      try (Model model = StudentTraining.train(train, settings, seed, null, progress);
           NDManager m = NDManager.newBaseManager()) {
        accuracy = StudentTraining.accuracy(model.getBlock(), m, test);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        model.getBlock().saveParameters(new DataOutputStream(bytes));
        params = bytes.toByteArray();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Files.createDirectories(dir);
      // Written under temporary names and moved: a killed run never leaves a half-written teacher.
      Path tmpParams = Files.write(dir.resolve(PARAMS + ".tmp"), params);
      ObjectNode facts = JSON.createObjectNode().put("test_accuracy", accuracy).put("seconds", seconds)
          .put("train_images", train.size()).put("seed", seed).put("settings", settings.toString());
      Path tmpFacts = dir.resolve(FACTS + ".tmp");
      JSON.writeValue(tmpFacts.toFile(), facts);
      Files.move(tmpParams, dir.resolve(PARAMS), StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmpFacts, dir.resolve(FACTS), StandardCopyOption.REPLACE_EXISTING);
      progress.accept(String.format("teacher: test accuracy %.4f after %.0f s", accuracy, seconds));
      return new BuiltInTeacher(params, train.numClasses(), settings, accuracy, seconds, train.size(), key, false);
    } catch (IOException e) {
      throw new UncheckedIOException("teacher cache " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Block load(Model model, Shape inputShape) {
    Block block = ConvNet.build(numClasses, settings.width(), settings.depth());
    model.setBlock(block);
    block.initialize(model.getNDManager(), DataType.FLOAT32, inputShape);
    try {
      block.loadParameters(model.getNDManager(), new DataInputStream(new ByteArrayInputStream(parameters)));
    } catch (IOException | MalformedModelException e) {
      throw new IllegalStateException("the cached teacher " + key + " cannot be loaded (" + e.getMessage()
          + "); delete its cache directory and run again", e);
    }
    return block;
  }

  @Override
  public Model newModel() {
    return Model.newInstance("ddoq-teacher", Device.cpu());
  }

  @Override
  public void describe(ObjectNode teacher) {
    teacher.put("source", "built-in").put("test_accuracy", testAccuracy).put("seconds", seconds)
        .put("train_images", trainImages).put("cache_key", key).put("from_cache", fromCache)
        .put("settings", settings.toString());
  }

  @Override
  public String summary() {
    return String.format(Locale.ROOT, "Teacher (= whole training set row): %s, %d images, test accuracy %.2f %%, %s.", settings, trainImages,
        100 * testAccuracy, fromCache ? "from the cache" : String.format(Locale.ROOT, "trained in %.0f s", seconds));
  }

  private static String key(LabelledImages train, StudentSettings settings, long seed) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < train.size(); i++) {
        sha.update(train.images()[i]);
        sha.update(ByteBuffer.allocate(4).putInt(train.labels()[i]).array());
      }
      sha.update((train.shape() + "|" + train.numClasses() + "|" + settings + "|" + seed)
          .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
