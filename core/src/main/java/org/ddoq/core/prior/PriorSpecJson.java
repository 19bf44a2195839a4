package org.ddoq.core.prior;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.InputException;
import org.ddoq.core.prior.PriorSpec.PixelNormalization;
import org.ddoq.core.prior.PriorSpec.TrainingFacts;

/**
 * {@code prior.json} <-> {@link PriorSpec}, through Jackson's tree model so the file layout is
 * spelled out here (readable by hand and by the Python export script) rather than implied by Java
 * names.
 */
final class PriorSpecJson {
  static final int FORMAT_VERSION = 1;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private PriorSpecJson() {}

  static void write(PriorSpec spec, Path priorDir) {
    ObjectNode root = JSON.createObjectNode();
    root.put("formatVersion", FORMAT_VERSION);
    root.put("type", spec.type());
    ImageShape image = spec.imageShape();
    root.putObject("imageShape")
        .put("channels", image.channels())
        .put("height", image.height())
        .put("width", image.width());
    LatentShape latent = spec.latentShape();
    root.putObject("latentShape")
        .put("channels", latent.channels())
        .put("height", latent.height())
        .put("width", latent.width());
    root.put("scaleFactor", spec.scaleFactor());
    ArrayNode names = root.putArray("classNames");
    spec.classNames().forEach(names::add);
    root.putObject("pixelNormalization")
        .put("mean", spec.pixelNormalization().mean())
        .put("std", spec.pixelNormalization().std());
    ObjectNode files = root.putObject("files");
    spec.files().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> files.put(e.getKey(), e.getValue()));
    ObjectNode architecture = root.putObject("architecture");
    spec.architecture().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> architecture.put(e.getKey(), e.getValue()));
    TrainingFacts t = spec.training();
    if (t != null) {
      ObjectNode training = root.putObject("training");
      training
          .put("images", t.images())
          .put("epochs", t.epochs())
          .put("seconds", t.seconds())
          .put("batchSize", t.batchSize())
          .put("learningRate", t.learningRate())
          .put("beta", t.beta())
          .put("seed", t.seed());
      ArrayNode losses = training.putArray("lossPerEpoch");
      t.lossPerEpoch().forEach(losses::add);
    }
    DiffusionSpec d = spec.diffusion();
    if (d != null) {
      root.putObject("diffusion")
          .put("timesteps", d.timesteps())
          .put("betaStart", d.betaStart())
          .put("betaEnd", d.betaEnd())
          .put("schedule", "linear")
          .put("numClasses", d.numClasses())
          .put("learnedSigma", d.learnedSigma());
    }
    if (Double.isNaN(spec.reconstructionMse())) {
      root.putNull("reconstructionMse");
    } else {
      root.put("reconstructionMse", spec.reconstructionMse());
    }
    Path file = priorDir.resolve(PriorSpec.FILE_NAME);
    try {
      Files.createDirectories(priorDir);
      Files.writeString(file, JSON.writeValueAsString(root) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
  }

  static PriorSpec read(Path priorDir) {
    Path file = priorDir.resolve(PriorSpec.FILE_NAME);
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new InputException(
          "no prior description at "
              + file
              + ": pass a directory made by "
              + "`ddoq train-prior` (or the export script), which holds "
              + PriorSpec.FILE_NAME,
          e);
    } catch (IOException e) {
      throw new InputException("could not read " + file + ": " + e.getMessage(), e);
    }
    try {
      return parse(JSON.readTree(text));
    } catch (JsonProcessingException e) {
      throw new InputException(
          file
              + " is not valid JSON ("
              + e.getOriginalMessage()
              + "); re-create the prior with `ddoq train-prior` or restore the file",
          e);
    } catch (IllegalArgumentException e) {
      throw new InputException(
          file
              + " is not a valid prior description: "
              + e.getMessage()
              + "; re-create the prior with `ddoq train-prior` or fix the file",
          e);
    }
  }

  private static PriorSpec parse(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    int version = integer(root, "formatVersion");
    if (version > FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "formatVersion " + version + " is newer than this ddoq reads (" + FORMAT_VERSION + ")");
    }
    JsonNode image = object(root, "imageShape");
    JsonNode latent = object(root, "latentShape");
    JsonNode norm = object(root, "pixelNormalization");
    List<String> classNames = new ArrayList<>();
    for (JsonNode name : array(root, "classNames")) {
      classNames.add(name.asText());
    }
    Map<String, String> files = new LinkedHashMap<>();
    object(root, "files")
        .fields()
        .forEachRemaining(e -> files.put(e.getKey(), e.getValue().asText()));
    Map<String, Integer> architecture = new LinkedHashMap<>();
    JsonNode arch = object(root, "architecture");
    arch.fieldNames().forEachRemaining(name -> architecture.put(name, integer(arch, name)));
    TrainingFacts training = null;
    JsonNode t = root.get("training");
    if (t != null && !t.isNull()) {
      List<Double> losses = new ArrayList<>();
      for (JsonNode loss : array(t, "lossPerEpoch")) {
        losses.add(loss.asDouble());
      }
      training =
          new TrainingFacts(
              integer(t, "images"),
              integer(t, "epochs"),
              number(t, "seconds"),
              losses,
              integer(t, "batchSize"),
              number(t, "learningRate"),
              number(t, "beta"),
              t.path("seed").asLong());
    }
    JsonNode mse = root.get("reconstructionMse");
    DiffusionSpec diffusion = null;
    JsonNode d = root.get("diffusion");
    if (d != null && !d.isNull()) {
      if (!"linear".equals(d.path("schedule").asText("linear"))) {
        throw new IllegalArgumentException(
            "diffusion.schedule '"
                + d.path("schedule").asText()
                + "' is not supported; only \"linear\" (DiT's) is");
      }
      diffusion =
          new DiffusionSpec(
              integer(d, "timesteps"),
              number(d, "betaStart"),
              number(d, "betaEnd"),
              integer(d, "numClasses"),
              d.path("learnedSigma").asBoolean(false));
    }
    return new PriorSpec(
        text(root, "type"),
        new ImageShape(
            integer(image, "channels"), integer(image, "height"), integer(image, "width")),
        new LatentShape(
            integer(latent, "channels"), integer(latent, "height"), integer(latent, "width")),
        number(root, "scaleFactor"),
        classNames,
        new PixelNormalization(number(norm, "mean"), number(norm, "std")),
        files,
        architecture,
        training,
        mse == null || mse.isNull() ? Double.NaN : mse.asDouble(),
        diffusion);
  }

  private static JsonNode field(JsonNode node, String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("field \"" + name + "\" is missing");
    }
    return value;
  }

  private static JsonNode object(JsonNode node, String name) {
    JsonNode value = field(node, name);
    if (!value.isObject()) {
      throw new IllegalArgumentException("field \"" + name + "\" must be an object");
    }
    return value;
  }

  private static JsonNode array(JsonNode node, String name) {
    JsonNode value = field(node, name);
    if (!value.isArray()) {
      throw new IllegalArgumentException("field \"" + name + "\" must be an array");
    }
    return value;
  }

  private static String text(JsonNode node, String name) {
    JsonNode value = field(node, name);
    if (!value.isTextual()) {
      throw new IllegalArgumentException("field \"" + name + "\" must be a string");
    }
    return value.asText();
  }

  private static double number(JsonNode node, String name) {
    JsonNode value = field(node, name);
    if (!value.isNumber()) {
      throw new IllegalArgumentException("field \"" + name + "\" must be a number");
    }
    return value.asDouble();
  }

  private static int integer(JsonNode node, String name) {
    JsonNode value = field(node, name);
    if (!value.canConvertToInt() || !value.isIntegralNumber()) {
      throw new IllegalArgumentException("field \"" + name + "\" must be an integer");
    }
    return value.asInt();
  }
}
