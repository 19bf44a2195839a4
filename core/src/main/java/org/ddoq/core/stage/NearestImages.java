package org.ddoq.core.stage;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.ddoq.core.data.ImageRows;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.output.CentroidFile;
import org.ddoq.core.output.Png;
import org.ddoq.core.quantize.Centroid;
import org.ddoq.core.quantize.CentroidWeights;
import org.ddoq.core.quantize.ClassQuantization;
import org.ddoq.core.quantize.NearestSelection;
import scala.Tuple2;

/**
 * The {@code nearest} decoder: each centroid becomes the real training image whose latent is
 * nearest to it ({@link NearestSelection}: no image twice, masses recomputed as the chosen images'
 * own Voronoi cells). The images are the training files' own pixels, so the set stays on the data
 * manifold; what the quantizer contributes is which images, and how much each one weighs.
 *
 * <p>Each class is selected inside one Spark task (its latents grouped by label on the executors;
 * the driver receives only the k chosen ids, latents and counts per class), then the chosen images
 * are joined back from the image table by id and encoded as PNG on the executors.
 */
public final class NearestImages {
  /**
   * One chosen image: where it stands in the output (label, cluster) and where it came from (id).
   */
  public record Chosen(
      int label, String className, int cluster, long id, double[] latent, long count, double weight)
      implements Serializable {}

  /**
   * @param images every chosen image, ordered by label then cluster (cluster = its centroid's
   *     index)
   * @param classes per class: distortion and uniform W2^2 of the chosen images (not of the
   *     centroids)
   */
  public record Selection(List<Chosen> images, List<ClassQuantization> classes)
      implements Serializable {
    /**
     * The chosen images' latents in the centroids table's layout, for CentroidFile and decoders.
     */
    public List<Centroid> asCentroids() {
      return images.stream()
          .map(
              c ->
                  new Centroid(
                      c.label(), c.className(), c.cluster(), c.latent(), c.count(), c.weight()))
          .toList();
    }
  }

  private record ClassChoice(
      int label,
      long[] ids,
      float[][] latents,
      long[] counts,
      double distortion,
      double uniformW2,
      double seconds)
      implements Serializable {}

  /**
   * How sure a teacher is of each image's own class (higher: surer), run on the executors for the
   * few images a centroid may choose among ({@link NearestSelection#pool}).
   */
  @FunctionalInterface
  public interface Confidence extends Serializable {
    float[] ofOwnClass(byte[][] images, int[] labels, ImageShape shape);
  }

  /**
   * How a centroid chooses: among its {@code candidates} nearest free images, the one {@code
   * confidence} prefers.
   */
  public record Choice(int candidates, Confidence confidence, ImageShape shape)
      implements Serializable {
    /** Each centroid takes its nearest free image. */
    public static Choice nearest() {
      return new Choice(1, null, null);
    }
  }

  private NearestImages() {}

  /**
   * {@link #select(Dataset, Dataset, ClassQuantizerModel, String, Choice)} with each centroid's
   * nearest image.
   */
  public static Selection select(
      Dataset<Row> latents, ClassQuantizerModel model, String weighting) {
    return select(latents, null, model, weighting, Choice.nearest());
  }

  /**
   * @param latents rows with {@code id} (long), {@code label} (int) and a {@code latent} vector
   *     column
   * @param imageRows the images ({@link ImageRows}) the candidates' pixels come from; null with one
   *     candidate
   * @param model the fitted quantizer whose centroids are replaced
   * @param weighting mass, sqrt or uniform: how the chosen images' cell counts become weights
   */
  public static Selection select(
      Dataset<Row> latents,
      Dataset<Row> imageRows,
      ClassQuantizerModel model,
      String weighting,
      Choice choice) {
    Map<Integer, double[][]> centroids = new HashMap<>();
    Map<Integer, List<Centroid>> byLabel = new HashMap<>();
    model
        .centroidList()
        .forEach(c -> byLabel.computeIfAbsent(c.label(), l -> new ArrayList<>()).add(c));
    byLabel.forEach(
        (label, list) ->
            centroids.put(label, list.stream().map(Centroid::position).toArray(double[][]::new)));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkSession.active().sparkContext());
    Broadcast<Map<Integer, double[][]>> shared = jsc.broadcast(centroids);
    int partitions = Math.max(1, Math.min(centroids.size(), jsc.defaultParallelism() * 4));
    JavaPairRDD<Integer, Iterable<Tuple2<Long, float[]>>> groups =
        LatentValues.labelled(
                latents.select(
                    col(ImageRows.LABEL), col(ImageRows.ID), col(model.getFeaturesCol())),
                true)
            .mapToPair(r -> new Tuple2<>(r.label(), new Tuple2<>(r.id(), r.x())))
            .filter(p -> shared.value().containsKey(p._1()))
            .groupByKey(new HashPartitioner(partitions));
    Broadcast<Map<Long, Float>> confidence = null;
    if (choice.candidates() > 1) {
      groups = groups.persist(StorageLevel.MEMORY_AND_DISK());
      confidence = jsc.broadcast(confidence(groups, shared, imageRows, choice));
    }
    Broadcast<Map<Long, Float>> scores = confidence;
    List<ClassChoice> chosenPerClass =
        groups
            .map(
                group ->
                    choose(
                        group._1(),
                        group._2(),
                        shared.value().get(group._1()),
                        scores == null ? null : scores.value(),
                        choice.candidates()))
            .collect();
    groups.unpersist(false);
    shared.destroy();
    if (scores != null) {
      scores.destroy();
    }

    CentroidWeights.Scheme scheme = CentroidWeights.Scheme.parse(weighting);
    Map<Integer, ClassChoice> choiceOf = new HashMap<>();
    chosenPerClass.forEach(c -> choiceOf.put(c.label(), c));
    List<Chosen> images = new ArrayList<>();
    List<ClassQuantization> classes = new ArrayList<>();
    for (ClassQuantization q : model.summaries()) {
      ClassChoice made = choiceOf.get(q.label());
      if (made == null) {
        continue; // no centroids (an empty class): nothing to choose
      }
      double[] weights = CentroidWeights.weights(made.counts(), scheme);
      List<Centroid> own = byLabel.get(q.label());
      for (int j = 0; j < made.ids().length; j++) {
        images.add(
            new Chosen(
                q.label(),
                q.className(),
                own.get(j).cluster(),
                made.ids()[j],
                CentroidFile.widen(made.latents()[j]),
                made.counts()[j],
                weights[j]));
      }
      classes.add(
          new ClassQuantization(
              q.label(),
              q.className(),
              q.size(),
              q.requested(),
              made.ids().length,
              made.distortion(),
              made.uniformW2(),
              made.seconds(),
              q.note()));
    }
    images.sort(Comparator.comparingInt(Chosen::label).thenComparingInt(Chosen::cluster));
    return new Selection(images, classes);
  }

  /**
   * The chosen images as the output writer takes them: label, class_name, cluster, count, weight
   * and the PNG of the training image's own pixels; then id and source (the training file) for
   * provenance.
   */
  public static Dataset<Row> pngs(Dataset<Row> imageRows, Selection selection, ImageShape shape) {
    StructType schema =
        new StructType()
            .add("chosen_id", DataTypes.LongType, false)
            .add("cluster", DataTypes.IntegerType, false)
            .add("count", DataTypes.LongType, false)
            .add("weight", DataTypes.DoubleType, false);
    List<Row> rows =
        selection.images().stream()
            .map(c -> RowFactory.create(c.id(), c.cluster(), c.count(), c.weight()))
            .toList();
    Dataset<Row> chosen = SparkSession.active().createDataFrame(rows, schema);
    UDF1<byte[], byte[]> encode = pixels -> Png.encode(pixels, shape);
    return imageRows
        .join(broadcast(chosen), col(ImageRows.ID).equalTo(col("chosen_id")))
        .select(
            col(ImageRows.LABEL),
            col(ImageRows.CLASS_NAME),
            col("cluster"),
            col("count"),
            col("weight"),
            udf(encode, DataTypes.BinaryType).apply(col(ImageRows.IMAGE)).as("png"),
            col(ImageRows.ID),
            col(ImageRows.SOURCE));
  }

  /**
   * The teacher's confidence in every image a centroid may choose: the pools are found per class on
   * the executors, their ids (k - 1 + M per centroid at most) come to the driver, and the teacher
   * runs on the executors over just those images.
   */
  private static Map<Long, Float> confidence(
      JavaPairRDD<Integer, Iterable<Tuple2<Long, float[]>>> classes,
      Broadcast<Map<Integer, double[][]>> centroids,
      Dataset<Row> imageRows,
      Choice choice) {
    int candidates = choice.candidates();
    Set<Long> pool =
        new HashSet<>(
            classes
                .flatMap(
                    group -> {
                      List<Tuple2<Long, float[]>> points = inIdOrder(group._2());
                      float[][] x = points.stream().map(Tuple2::_2).toArray(float[][]::new);
                      List<Long> ids = new ArrayList<>();
                      for (int p :
                          NearestSelection.pool(x, centroids.value().get(group._1()), candidates)) {
                        ids.add(points.get(p)._1());
                      }
                      return ids.iterator();
                    })
                .collect());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkSession.active().sparkContext());
    Broadcast<Set<Long>> wanted = jsc.broadcast(pool);
    Confidence teacher = choice.confidence();
    ImageShape shape = choice.shape();
    Map<Long, Float> scores =
        new HashMap<>(
            imageRows
                .select(col(ImageRows.ID), col(ImageRows.LABEL), col(ImageRows.IMAGE))
                .javaRDD()
                .filter(r -> wanted.value().contains(r.getLong(0)))
                .mapPartitionsToPair(
                    rows -> {
                      List<Row> list = new ArrayList<>();
                      rows.forEachRemaining(list::add);
                      List<Tuple2<Long, Float>> out = new ArrayList<>();
                      if (list.isEmpty()) {
                        return out.iterator();
                      }
                      float[] c =
                          teacher.ofOwnClass(
                              list.stream().map(r -> (byte[]) r.get(2)).toArray(byte[][]::new),
                              list.stream().mapToInt(r -> r.getInt(1)).toArray(),
                              shape);
                      for (int i = 0; i < c.length; i++) {
                        out.add(new Tuple2<>(list.get(i).getLong(0), c[i]));
                      }
                      return out.iterator();
                    })
                .collectAsMap());
    wanted.destroy();
    return scores;
  }

  private static List<Tuple2<Long, float[]>> inIdOrder(Iterable<Tuple2<Long, float[]>> group) {
    List<Tuple2<Long, float[]>> points = new ArrayList<>();
    group.forEach(points::add);
    points.sort(Comparator.comparingLong(Tuple2::_1));
    return points;
  }

  /**
   * Runs on an executor: one class's points, in id order so the choice does not depend on
   * partitioning.
   */
  private static ClassChoice choose(
      int label,
      Iterable<Tuple2<Long, float[]>> group,
      double[][] centroids,
      Map<Long, Float> scores,
      int candidates) {
    long start = System.nanoTime();
    List<Tuple2<Long, float[]>> points = inIdOrder(group);
    float[][] x = points.stream().map(Tuple2::_2).toArray(float[][]::new);
    float[] confidence = null;
    if (scores != null) {
      confidence = new float[x.length];
      for (int p = 0; p < x.length; p++) {
        confidence[p] =
            scores.getOrDefault(points.get(p)._1(), Float.NaN); // NaN: outside the pool, never read
      }
    }
    NearestSelection.Result r = NearestSelection.select(x, centroids, confidence, candidates);
    long[] ids = new long[r.chosen().length];
    float[][] latents = new float[r.chosen().length][];
    for (int j = 0; j < ids.length; j++) {
      ids[j] = points.get(r.chosen()[j])._1();
      latents[j] = x[r.chosen()[j]];
    }
    return new ClassChoice(
        label,
        ids,
        latents,
        r.counts(),
        r.distortion(),
        r.uniformW2(),
        (System.nanoTime() - start) / 1e9);
  }
}
