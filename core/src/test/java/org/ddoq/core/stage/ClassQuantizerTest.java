package org.ddoq.core.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ddoq.core.quantize.Centroid;
import org.ddoq.core.quantize.ClassQuantization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quantize stage on hand-worked cases. Class 0 has two obvious clusters in 2-D: {(0,0),(0,1)}
 * -> centroid (0,0.5), count 2; {(10,0),(10,1),(10,2)} -> centroid (10,1), count 3. Distortion =
 * (0.25+0.25+1+0+1)/5 = 0.5. With equal masses 1/2 per centroid, 0.1 of the mass of (10,0) must
 * travel to (0,0.5): W2^2 = 0.2*0.25*2 + 0.1*100.25 + 0.1*1 + 0.2*0 + 0.2*1 = 10.425. Class 1 has
 * exactly k = 2 points, class 2 a single point: each point is its own centroid.
 */
class ClassQuantizerTest extends SparkTestBase {
  private static final StructType SCHEMA =
      new StructType()
          .add("label", DataTypes.IntegerType, false)
          .add("class_name", DataTypes.StringType, false)
          .add("latent", SQLDataTypes.VectorType(), false);

  private static Dataset<Row> handWorked() {
    List<Row> rows = new ArrayList<>();
    double[][] class0 = {{0, 0}, {0, 1}, {10, 0}, {10, 1}, {10, 2}};
    for (double[] p : class0) {
      rows.add(RowFactory.create(0, "zero", Vectors.dense(p)));
    }
    rows.add(RowFactory.create(1, "one", Vectors.dense(5, 5)));
    rows.add(RowFactory.create(1, "one", Vectors.dense(6, 5)));
    rows.add(RowFactory.create(2, "two", Vectors.dense(-1, -1)));
    return spark.createDataFrame(rows, SCHEMA);
  }

  @Test
  void defaultParameters() {
    ClassQuantizer q = new ClassQuantizer();
    assertEquals(10, q.getK());
    assertEquals("mass", q.getWeighting());
    assertEquals("latent", q.getFeaturesCol());
    assertEquals("label", q.getLabelCol());
    assertEquals(3, q.getRestarts());
  }

  @Test
  void parametersValidation() {
    ClassQuantizer q = new ClassQuantizer();
    assertThrows(IllegalArgumentException.class, () -> q.setK(0));
    assertThrows(IllegalArgumentException.class, () -> q.setWeighting("linear"));
    assertThrows(IllegalArgumentException.class, () -> q.setRestarts(0));
    assertThrows(IllegalArgumentException.class, () -> q.fit(handWorked().drop("latent")));
  }

  @Test
  void massWeightsDistortionAndUniformW2OnHandWorkedCase() {
    ClassQuantizerModel model = new ClassQuantizer().setK(2).setSeed(7).fit(handWorked());
    List<ClassQuantization> s = model.summaries();
    assertEquals(3, s.size());

    ClassQuantization zero = s.get(0);
    assertEquals(5, zero.size());
    assertEquals(2, zero.centroids());
    assertEquals(0.5, zero.distortion(), 1e-12);
    assertEquals(10.425, zero.uniformW2(), 1e-9);
    assertTrue(zero.note().isEmpty());

    List<Centroid> c0 =
        model.centroidList().stream()
            .filter(c -> c.label() == 0)
            .sorted((a, b) -> Double.compare(a.position()[0], b.position()[0]))
            .toList();
    assertArrayEquals(new double[] {0, 0.5}, c0.get(0).position(), 1e-12);
    assertArrayEquals(new double[] {10, 1}, c0.get(1).position(), 1e-12);
    assertEquals(2, c0.get(0).count());
    assertEquals(3, c0.get(1).count());
    assertEquals(0.4, c0.get(0).weight(), 1e-12);
    assertEquals(0.6, c0.get(1).weight(), 1e-12);
  }

  /** MLlib refuses k = 1 (IPC 1, a standard setting): the class mean carries all the mass. */
  @Test
  void oneImagePerClassIsTheClassMean() {
    ClassQuantizerModel model = new ClassQuantizer().setK(1).fit(handWorked());
    ClassQuantization zero = model.summaries().get(0);
    assertEquals(1, zero.centroids());
    // Squared distances to (6, 0.8): 36.64 + 36.04 + 16.64 + 16.04 + 17.44 = 122.8, over 5 points.
    assertEquals(24.56, zero.distortion(), 1e-9);
    assertEquals(24.56, zero.uniformW2(), 1e-9);
    Centroid c = model.centroidList().stream().filter(x -> x.label() == 0).findFirst().get();
    assertArrayEquals(new double[] {6, 0.8}, c.position(), 1e-12);
    assertEquals(5, c.count());
    assertEquals(1.0, c.weight(), 1e-12);
  }

  @Test
  void classesWithAtMostKImagesKeepEveryImageWithWeightOneOverN() {
    ClassQuantizerModel model = new ClassQuantizer().setK(2).fit(handWorked());
    ClassQuantization one = model.summaries().get(1);
    ClassQuantization two = model.summaries().get(2);
    assertEquals(2, one.centroids());
    assertEquals(0.0, one.distortion());
    assertTrue(one.note().contains("exactly k"), one.note());
    assertEquals(1, two.centroids());
    assertTrue(two.note().contains("fewer than k"), two.note());
    model.centroidList().stream()
        .filter(c -> c.label() == 1)
        .forEach(c -> assertEquals(0.5, c.weight(), 1e-12));
    model.centroidList().stream()
        .filter(c -> c.label() == 2)
        .forEach(c -> assertEquals(1.0, c.weight(), 1e-12));
  }

  @Test
  void sqrtAndUniformWeightingsSumToOnePerClass() {
    ClassQuantizerModel sqrt = new ClassQuantizer().setK(2).setWeighting("sqrt").fit(handWorked());
    List<Centroid> c0 =
        sqrt.centroidList().stream()
            .filter(c -> c.label() == 0)
            .sorted((a, b) -> Long.compare(a.count(), b.count()))
            .toList();
    double norm = Math.sqrt(2) + Math.sqrt(3);
    assertEquals(Math.sqrt(2) / norm, c0.get(0).weight(), 1e-12);
    assertEquals(Math.sqrt(3) / norm, c0.get(1).weight(), 1e-12);

    ClassQuantizerModel uniform =
        new ClassQuantizer().setK(2).setWeighting("uniform").fit(handWorked());
    uniform.centroidList().stream()
        .filter(c -> c.label() == 0)
        .forEach(c -> assertEquals(0.5, c.weight(), 1e-12));
  }

  @Test
  void sameSeedGivesSameCentroids() {
    ClassQuantizerModel a = new ClassQuantizer().setK(2).setSeed(3).fit(handWorked());
    ClassQuantizerModel b = new ClassQuantizer().setK(2).setSeed(3).fit(handWorked());
    for (int i = 0; i < a.centroidList().size(); i++) {
      assertArrayEquals(a.centroidList().get(i).position(), b.centroidList().get(i).position());
    }
  }

  @Test
  void transformAssignsEachLatentItsNearestCentroidInItsClass() {
    ClassQuantizerModel model = new ClassQuantizer().setK(2).fit(handWorked());
    List<Row> rows = model.transform(handWorked()).filter("label = 0").collectAsList();
    for (Row r : rows) {
      int cluster = r.getInt(r.fieldIndex("cluster"));
      double x = ((org.apache.spark.ml.linalg.Vector) r.getAs("latent")).apply(0);
      double centroidX =
          model.centroidList().stream()
              .filter(c -> c.label() == 0 && c.cluster() == cluster)
              .findFirst()
              .orElseThrow()
              .position()[0];
      assertEquals(x, centroidX, 0.6);
    }
  }

  @Test
  void readWriteKeepsParamsCentroidsAndSummaries(@TempDir Path dir) throws Exception {
    ClassQuantizer q = new ClassQuantizer().setK(2).setSeed(11).setWeighting("sqrt");
    q.save(dir.resolve("estimator").toString());
    ClassQuantizer q2 = ClassQuantizer.load(dir.resolve("estimator").toString());
    assertEquals(2, q2.getK());
    assertEquals(11L, q2.getSeed());
    assertEquals("sqrt", q2.getWeighting());

    ClassQuantizerModel model = q.fit(handWorked());
    model.save(dir.resolve("model").toString());
    ClassQuantizerModel loaded = ClassQuantizerModel.load(dir.resolve("model").toString());
    assertEquals(model.uid(), loaded.uid());
    assertEquals(2, loaded.getK());
    assertEquals("sqrt", loaded.getWeighting());
    assertEquals(model.summaries(), loaded.summaries());
    assertEquals(model.centroidList().size(), loaded.centroidList().size());
    for (int i = 0; i < model.centroidList().size(); i++) {
      assertArrayEquals(
          model.centroidList().get(i).position(), loaded.centroidList().get(i).position());
      assertEquals(model.centroidList().get(i).weight(), loaded.centroidList().get(i).weight());
    }
  }
}
