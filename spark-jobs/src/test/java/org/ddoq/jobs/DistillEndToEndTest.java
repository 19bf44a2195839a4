package org.ddoq.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.ddoq.core.pipeline.Decoding;
import org.ddoq.core.pipeline.DistillSettings;
import org.ddoq.core.pipeline.DistillSummary;
import org.ddoq.core.pipeline.Distiller;
import org.ddoq.core.pipeline.PriorTraining;
import org.junit.jupiter.api.Test;

/** distill on a real Fashion-MNIST slice, checked against the whole output contract. */
class DistillEndToEndTest extends CliTestBase {

  @Test
  void distillWritesTheWholeOutputContract() throws IOException {
    Path out = root.resolve("out-contract");
    Run r =
        ddoq(
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            prior.toString(),
            "--ipc",
            "5",
            "--seed",
            "1",
            "--decoder",
            "auto",
            "--keep-latents",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));

    // 10 class folders x 5 PNGs of 28x28
    List<Path> pngs;
    try (Stream<Path> files = Files.walk(out.resolve("images"))) {
      pngs = files.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
    assertEquals(50, pngs.size());
    try (Stream<Path> dirs = Files.list(out.resolve("images"))) {
      assertEquals(10, dirs.count());
    }
    BufferedImage first = ImageIO.read(pngs.get(0).toFile());
    assertEquals(28, first.getWidth());
    assertEquals(28, first.getHeight());
    assertTrue(
        Files.exists(out.resolve("images/T-shirt_top/0_0.png")),
        "'T-shirt/top' becomes folder T-shirt_top");

    // manifest: one row per image; per class weights sum to 1 and counts to the class size
    List<String> lines = Files.readAllLines(out.resolve("manifest.csv"));
    assertEquals("path,label,class_name,cluster,count,weight", lines.get(0));
    assertEquals(51, lines.size());
    Map<Integer, Double> weightSums = new HashMap<>();
    Map<Integer, Long> countSums = new HashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      assertTrue(Files.exists(out.resolve(f[0])), "manifest path exists: " + f[0]);
      int label = Integer.parseInt(f[1]);
      countSums.merge(label, Long.parseLong(f[4]), Long::sum);
      weightSums.merge(label, Double.parseDouble(f[5]), Double::sum);
    }
    int[] labels = FashionSlice.labels(slice, "train");
    for (int label = 0; label < 10; label++) {
      final int l = label;
      long size = java.util.Arrays.stream(labels).filter(x -> x == l).count();
      assertEquals(size, countSums.get(label), "counts of class " + label);
      assertEquals(1.0, weightSums.get(label), 1e-9, "weights of class " + label);
    }

    // summary: parameters, per-class results, weighted distortion <= uniform W2^2, timings
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals(5, summary.at("/parameters/ipc").asInt());
    assertEquals(1200, summary.at("/dataset/images").asLong());
    assertEquals(10, summary.get("classes").size());
    for (JsonNode c : summary.get("classes")) {
      assertTrue(c.get("distortion").asDouble() > 0);
      assertTrue(
          c.get("distortion").asDouble() <= c.get("uniform_w2").asDouble() * (1 + 1e-9),
          c.toString());
    }
    assertTrue(summary.at("/seconds/encode").asDouble() >= 0);

    // contact sheet: a row per class
    BufferedImage sheet = ImageIO.read(out.resolve("contact_sheet.png").toFile());
    assertTrue(sheet.getHeight() >= 10 * 64, "10 rows of at least 64 px: " + sheet.getHeight());
    assertEquals(
        "vae", summary.at("/parameters/decoder").asText(), "a VAE-only prior decodes with the VAE");

    // kept latents: one row per image
    assertEquals(1200, spark.read().parquet(out.resolve("latents").toString()).count());
  }

  @Test
  void sameSeedGivesTheSameDistilledSet() throws IOException {
    Path a = root.resolve("out-seed-a");
    Path b = root.resolve("out-seed-b");
    assertEquals(
        0,
        ddoq(
                "distill",
                "--input",
                slice.toString(),
                "--prior",
                prior.toString(),
                "--ipc",
                "3",
                "--seed",
                "4",
                "--out",
                a.toString())
            .status());
    assertEquals(
        0,
        ddoq(
                "distill",
                "--input",
                slice.toString(),
                "--prior",
                prior.toString(),
                "--ipc",
                "3",
                "--seed",
                "4",
                "--out",
                b.toString())
            .status());
    assertEquals(
        Files.readAllLines(a.resolve("manifest.csv")),
        Files.readAllLines(b.resolve("manifest.csv")));
    assertTrue(
        java.util.Arrays.equals(
            Files.readAllBytes(a.resolve("images/Trouser/1_2.png")),
            Files.readAllBytes(b.resolve("images/Trouser/1_2.png"))));
  }

  @Test
  void withoutPriorOneIsTrainedOnceAndReusedFromTheCache() {
    Path cache = root.resolve("cache");
    DistillSettings first = settings(root.resolve("out-cold"), cache);
    DistillSummary cold = new Distiller(first).run(spark);
    assertTrue(cold.priorTrained());
    assertTrue(cold.prior().startsWith(cache.toString()), cold.prior());
    DistillSummary warm = new Distiller(settings(root.resolve("out-warm"), cache)).run(spark);
    assertFalse(warm.priorTrained());
    assertEquals(cold.prior(), warm.prior());
  }

  /** A DiT asked for on an input whose VAE-only prior is cached reuses that VAE, byte for byte. */
  @Test
  void aDitOnAnInputWithACachedVaeTrainsOnlyTheDit() throws IOException {
    Path cache = root.resolve("cache-dit");
    DistillSummary vaeOnly =
        new Distiller(settings(root.resolve("out-vae-only"), cache)).run(spark);
    assertTrue(vaeOnly.priorTrained());
    DistillSettings s = settings(root.resolve("out-with-dit"), cache);
    DistillSettings withDit =
        new DistillSettings(
            s.input(),
            s.out(),
            s.ipc(),
            s.format(),
            null,
            s.seed(),
            s.weights(),
            false,
            false,
            false,
            null,
            s.batchSize(),
            s.restarts(),
            s.maxIter(),
            s.parallelism(),
            s.cacheDir(),
            new PriorTraining(
                s.training().vae(), org.ddoq.core.prior.DitTrainingConfig.defaults().withEpochs(1)),
            new Decoding("dit", 0.3, 4, 4.0, 0.0),
            1,
            null);
    DistillSummary dit = new Distiller(withDit).run(spark);
    assertTrue(dit.priorTrained());
    assertNotEquals(vaeOnly.prior(), dit.prior());
    assertEquals("dit", dit.decoder());
    assertArrayEquals(
        Files.readAllBytes(Path.of(vaeOnly.prior()).resolve("vae.params")),
        Files.readAllBytes(Path.of(dit.prior()).resolve("vae.params")),
        "the cached VAE is reused, not trained again");
  }

  private static DistillSettings settings(Path out, Path cache) {
    return new DistillSettings(
        slice.toString(),
        out.toString(),
        2,
        "auto",
        null,
        0,
        "mass",
        false,
        false,
        false,
        null,
        256,
        1,
        20,
        4,
        cache.toString(),
        new PriorTraining(
            org.ddoq.core.prior.VaeTrainingConfig.defaults().withEpochs(1).withMaxTrainImages(600),
            null),
        Decoding.defaults(),
        1,
        null);
  }

  /**
   * decode re-decodes the centroids a distill kept: with the same prior and decoder it reproduces
   * the set byte for byte, and its summary names the source; unfinished sources and a DiT on a
   * VAE-only prior are refused before anything is written.
   */
  @Test
  void decodeReproducesTheSetFromItsKeptCentroids() throws IOException {
    Path out = root.resolve("out-for-decode");
    Run r =
        ddoq(
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            prior.toString(),
            "--ipc",
            "3",
            "--decoder",
            "vae",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.exists(out.resolve("centroids.npy")), "distill keeps its centroids");

    Path again = root.resolve("out-decoded-again");
    Run d =
        ddoq(
            "decode", "--distilled", out.toString(), "--out", again.toString(), "--decoder", "vae");
    assertEquals(0, d.status(), d.err());
    assertEquals(
        Files.readString(out.resolve("manifest.csv")),
        Files.readString(again.resolve("manifest.csv")));
    for (String line : Files.readAllLines(out.resolve("manifest.csv")).subList(1, 31)) {
      String png = line.substring(0, line.indexOf(','));
      assertTrue(
          java.util.Arrays.equals(
              Files.readAllBytes(out.resolve(png)), Files.readAllBytes(again.resolve(png))),
          png);
    }
    JsonNode summary = new ObjectMapper().readTree(again.resolve("summary.json").toFile());
    assertEquals(out.toString(), summary.path("decoded_from").asText());
    assertEquals(3, summary.at("/parameters/ipc").asInt());
    assertTrue(Files.exists(again.resolve("_SUCCESS")));

    Run dit =
        ddoq(
            "decode",
            "--distilled",
            out.toString(),
            "--out",
            root.resolve("out-dit").toString(),
            "--decoder",
            "dit");
    assertEquals(2, dit.status());
    assertTrue(dit.err().contains("needs a prior with a diffusion model"), dit.err());
    assertFalse(Files.exists(root.resolve("out-dit")));
    Files.delete(out.resolve("_SUCCESS"));
    Run unfinished =
        ddoq("decode", "--distilled", out.toString(), "--out", root.resolve("out-x").toString());
    assertEquals(2, unfinished.status());
    assertTrue(unfinished.err().contains("not a finished distill output"), unfinished.err());
  }

  /**
   * The nearest decoder delivers real training images, one per centroid and none twice, each
   * weighted by the mass of its own cell among the chosen images; the summary names every chosen
   * file and reports the chosen set's W2 beside the centroids'.
   */
  @Test
  void nearestDecoderDeliversTrainingImagesWithTheirOwnCells() throws IOException {
    Path out = root.resolve("out-nearest");
    Run r =
        ddoq(
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            prior.toString(),
            "--ipc",
            "4",
            "--decoder",
            "nearest",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.err());
    byte[][] train = FashionSlice.images(slice, "train");
    int[] labels = FashionSlice.labels(slice, "train");
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals("nearest", summary.at("/parameters/decoder").asText());
    Map<String, String> pathOf = new HashMap<>();
    for (String line : Files.readAllLines(out.resolve("manifest.csv")).subList(1, 41)) {
      String[] f = line.split(",");
      pathOf.put(f[1] + "_" + f[3], f[0]);
    }
    JsonNode chosen = summary.get("chosen_images");
    assertEquals(40, chosen.size());
    java.util.Set<Long> ids = new java.util.HashSet<>();
    for (JsonNode c : chosen) {
      long id = c.get("id").asLong();
      assertTrue(ids.add(id), "image " + id + " chosen twice");
      assertEquals(labels[(int) id], c.get("label").asInt(), "a chosen image belongs to its class");
      assertTrue(c.get("source").asText().contains("train-images"), c.toString());
      // The PNG holds exactly that training image's pixels.
      BufferedImage png =
          ImageIO.read(
              out.resolve(pathOf.get(c.get("label").asText() + "_" + c.get("cluster").asText()))
                  .toFile());
      byte[] pixels = new byte[28 * 28];
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          pixels[y * 28 + x] = (byte) (png.getRaster().getSample(x, y, 0));
        }
      }
      assertTrue(
          java.util.Arrays.equals(train[(int) id], pixels),
          "PNG of image " + id + " is its own pixels");
    }
    Map<Integer, Long> countSums = new HashMap<>();
    for (String line : Files.readAllLines(out.resolve("manifest.csv")).subList(1, 41)) {
      String[] f = line.split(",");
      countSums.merge(Integer.parseInt(f[1]), Long.parseLong(f[4]), Long::sum);
    }
    for (int label = 0; label < 10; label++) {
      final int l = label;
      assertEquals(
          java.util.Arrays.stream(labels).filter(x -> x == l).count(), countSums.get(label));
    }
    for (JsonNode c : summary.get("classes")) {
      assertTrue(
          c.get("distortion").asDouble() <= c.get("uniform_w2").asDouble() * (1 + 1e-9),
          c.toString());
      assertTrue(c.get("centroid_distortion").asDouble() > 0, c.toString());
    }
    assertTrue(summary.at("/totals/centroid_mean_w2_weighted").isNumber());
  }

  /**
   * --candidates M --teacher FILE: each centroid takes, among its M nearest training images in its
   * own cell, the one the teacher is surest of. The teacher's mean confidence in the delivered
   * images rises against the plain nearest set, the cells still cover each class, and the summary
   * records the choice.
   */
  @Test
  void aTeacherChoosesAmongEachCentroidsNearestImages() throws Exception {
    Path teacherFile = TinyTeacher.write(root.resolve("tiny-selection.pt"), "--epochs", "3");
    Path plain = root.resolve("out-nearest-plain");
    Path taught = root.resolve("out-nearest-teacher");
    Run a =
        ddoq(
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            prior.toString(),
            "--ipc",
            "3",
            "--decoder",
            "nearest",
            "--out",
            plain.toString());
    assertEquals(0, a.status(), a.err());
    Run b =
        ddoq(
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            prior.toString(),
            "--ipc",
            "3",
            "--decoder",
            "nearest",
            "--candidates",
            "20",
            "--teacher",
            teacherFile.toString(),
            "--out",
            taught.toString());
    assertEquals(0, b.status(), b.err());
    JsonNode summary = new ObjectMapper().readTree(taught.resolve("summary.json").toFile());
    assertEquals(20, summary.at("/parameters/candidates").asInt());
    assertEquals(teacherFile.toString(), summary.at("/parameters/teacher").asText());

    byte[][] train = FashionSlice.images(slice, "train");
    int[] labels = FashionSlice.labels(slice, "train");
    org.ddoq.core.eval.ImportedTeacher teacher =
        org.ddoq.core.eval.ImportedTeacher.readUntested(
            teacherFile,
            java.util.stream.IntStream.range(0, 10).mapToObj(String::valueOf).toList(),
            org.ddoq.core.data.ImageShape.parse("1x28x28"));
    double plainConfidence = meanConfidence(plain, teacher, train, labels);
    double taughtConfidence = meanConfidence(taught, teacher, train, labels);
    assertTrue(
        taughtConfidence > plainConfidence + 0.02,
        "the teacher's mean confidence in its own choice "
            + taughtConfidence
            + " against "
            + plainConfidence
            + " for the nearest images");
    long counted = 0;
    for (JsonNode c : summary.get("classes")) {
      counted += c.get("count").asLong();
      assertTrue(
          c.get("distortion").asDouble() >= c.get("centroid_distortion").asDouble(), c.toString());
    }
    assertEquals(labels.length, counted);

    Run noTeacher =
        ddoq(
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            prior.toString(),
            "--ipc",
            "3",
            "--decoder",
            "nearest",
            "--candidates",
            "20",
            "--out",
            root.resolve("out-x1").toString());
    assertEquals(2, noTeacher.status());
    assertTrue(
        noTeacher.err().contains("--candidates 20 needs --teacher FILE.pt"), noTeacher.err());
    Run vae =
        ddoq(
            "distill",
            "--input",
            slice.toString(),
            "--prior",
            prior.toString(),
            "--ipc",
            "3",
            "--decoder",
            "vae",
            "--candidates",
            "20",
            "--teacher",
            teacherFile.toString(),
            "--out",
            root.resolve("out-x2").toString());
    assertEquals(2, vae.status());
    assertTrue(vae.err().contains("go with --decoder nearest"), vae.err());
    assertFalse(
        Files.exists(root.resolve("out-x1")) || Files.exists(root.resolve("out-x2")),
        "nothing written");
  }

  private static double meanConfidence(
      Path out, org.ddoq.core.eval.ImportedTeacher teacher, byte[][] train, int[] labels)
      throws IOException {
    JsonNode chosen =
        new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("chosen_images");
    byte[][] images = new byte[chosen.size()][];
    int[] own = new int[chosen.size()];
    for (int i = 0; i < chosen.size(); i++) {
      int id = chosen.get(i).get("id").asInt();
      images[i] = train[id];
      own[i] = labels[id];
    }
    float[] c =
        org.ddoq.core.eval.TeacherConfidence.ofOwnClass(
            teacher, images, own, org.ddoq.core.data.ImageShape.parse("1x28x28"));
    double sum = 0;
    for (float x : c) {
      sum += x;
    }
    return sum / c.length;
  }
}
