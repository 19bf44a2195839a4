package org.ddoq.core.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.ddoq.core.data.IdxReader;
import org.ddoq.core.data.ImageDataset;
import org.ddoq.core.data.ImageRows;
import org.ddoq.core.prior.VaeTraining;
import org.ddoq.core.prior.VaeTrainingConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The encode and decode stages on real Fashion-MNIST images with a small prior trained here. */
class PriorStagesTest extends SparkTestBase {
  private static Path prior;
  private static Dataset<Row> images;

  @BeforeAll
  static void trainSmallPrior() throws IOException {
    ImageDataset data = IdxReader.read(spark, "/usr/share/datasets/fashion-mnist", "test", null);
    images = data.rows().limit(400).cache();
    List<Row> rows = images.select(ImageRows.IMAGE).collectAsList();
    byte[][] train = new byte[rows.size()][];
    for (int i = 0; i < train.length; i++) {
      train[i] = (byte[]) rows.get(i).get(0);
    }
    prior = Files.createTempDirectory("ddoq-stage-test").resolve("prior");
    VaeTraining.train(
        train,
        new byte[0][],
        data.shape(),
        data.classNames(),
        VaeTrainingConfig.defaults().withEpochs(1).withMaxTrainImages(400),
        prior,
        line -> {});
  }

  private static LatentEncoder encoder() {
    return new LatentEncoder().setPriorPath(prior.toString()).setBatchSize(64);
  }

  @Test
  void encoderAppendsOneDeterministicLatentPerImage() {
    List<Row> a =
        encoder().transform(images).orderBy(ImageRows.ID).select("latent").collectAsList();
    List<Row> b =
        encoder()
            .setBatchSize(7)
            .transform(images)
            .orderBy(ImageRows.ID)
            .select("latent")
            .collectAsList();
    assertEquals(400, a.size());
    assertEquals(4 * 7 * 7, ((Vector) a.get(0).get(0)).size());
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(
          ((Vector) a.get(i).get(0)).toArray(),
          ((Vector) b.get(i).get(0)).toArray(),
          "batching must not change a latent (row " + i + ")");
    }
  }

  @Test
  void encoderAndDecoderReadWriteKeepTheirParams() throws IOException {
    Path dir = Files.createTempDirectory("ddoq-stage-rw");
    LatentEncoder enc = encoder().setOutputCol("z").setBatchSize(17);
    enc.save(dir.resolve("encoder").toString());
    LatentEncoder enc2 = LatentEncoder.load(dir.resolve("encoder").toString());
    assertEquals(enc.uid(), enc2.uid());
    assertEquals("z", enc2.getOutputCol());
    assertEquals(17, enc2.getBatchSize());
    assertEquals(prior.toString(), enc2.getPriorPath());

    CentroidDecoder dec =
        new CentroidDecoder().setPriorPath(prior.toString()).setInputCol("z").setBatchSize(5);
    dec.save(dir.resolve("decoder").toString());
    CentroidDecoder dec2 = CentroidDecoder.load(dir.resolve("decoder").toString());
    assertEquals(dec.uid(), dec2.uid());
    assertEquals("z", dec2.getInputCol());
    assertEquals("png", dec2.getOutputCol());
    assertEquals(5, dec2.getBatchSize());

    Dataset<Row> latents = enc2.transform(images.limit(10));
    List<Row> direct = dec.transform(latents).orderBy(ImageRows.ID).select("png").collectAsList();
    List<Row> loaded = dec2.transform(latents).orderBy(ImageRows.ID).select("png").collectAsList();
    for (int i = 0; i < direct.size(); i++) {
      assertArrayEquals((byte[]) direct.get(i).get(0), (byte[]) loaded.get(i).get(0));
    }
  }

  @Test
  void decoderTurnsCentroidsIntoPngsOfThePriorsImageShape() throws IOException {
    ClassQuantizerModel model = new ClassQuantizer().setK(2).fit(encoder().transform(images));
    List<Row> pngs =
        new CentroidDecoder()
            .setPriorPath(prior.toString())
            .transform(model.centroids())
            .select("label", "cluster", "png")
            .collectAsList();
    assertEquals(model.centroidList().size(), pngs.size());
    BufferedImage img = ImageIO.read(new ByteArrayInputStream((byte[]) pngs.get(0).get(2)));
    assertEquals(28, img.getWidth());
    assertEquals(28, img.getHeight());
  }

  @Test
  void imageOfTheWrongSizeIsNamedInTheError() {
    Dataset<Row> bad =
        spark.createDataFrame(
            List.of(RowFactory.create(7L, 0, "x", "shard-3.idx#7", new byte[100])),
            ImageRows.SCHEMA);
    Exception e = assertThrows(Exception.class, () -> encoder().transform(bad).collectAsList());
    String message = String.valueOf(e.getMessage());
    assertTrue(message.contains("shard-3.idx#7") && message.contains("1x28x28"), message);
  }

  @Test
  void schemaProblemsAreReportedBeforeAnyWork() {
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> encoder().setInputCol("pixels").transform(images));
    assertTrue(missing.getMessage().contains("'pixels' is missing"), missing.getMessage());
    IllegalArgumentException wrongType =
        assertThrows(
            IllegalArgumentException.class,
            () -> encoder().setInputCol(ImageRows.LABEL).transform(images));
    assertTrue(wrongType.getMessage().contains("must be binary"), wrongType.getMessage());
    IllegalArgumentException exists =
        assertThrows(
            IllegalArgumentException.class,
            () -> encoder().setOutputCol(ImageRows.SOURCE).transform(images));
    assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LatentEncoder().transform(images));
  }
}
