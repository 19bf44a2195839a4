package org.ddoq.core.stage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ddoq.core.quantize.Centroid;
import org.ddoq.core.quantize.ClassQuantization;
import scala.Option;

/**
 * The fitted quantizer: per class, centroids in latent space with their cell counts and training
 * weights, and the per-class summary (distortion, uniform-weight W2^2, notes). {@link #transform}
 * assigns each latent the index of its nearest centroid within its own class ({@value #PREDICTION}
 * column).
 */
public final class ClassQuantizerModel extends Model<ClassQuantizerModel> implements MLWritable {
  public static final String PREDICTION = "cluster";

  /** The centroids table: label, class_name, cluster, centroid (vector), count, weight. */
  public static final StructType CENTROID_SCHEMA =
      new StructType()
          .add("label", DataTypes.IntegerType, false)
          .add("class_name", DataTypes.StringType, false)
          .add("cluster", DataTypes.IntegerType, false)
          .add("centroid", SQLDataTypes.VectorType(), false)
          .add("count", DataTypes.LongType, false)
          .add("weight", DataTypes.DoubleType, false);

  private final String uid;
  private final List<Centroid> centroidList;
  private final List<ClassQuantization> classSummaries;
  private final Param<String> featuresCol;
  private final Param<String> labelCol;
  private final IntParam k;
  private final Param<String> weighting;

  public ClassQuantizerModel(
      String uid, List<Centroid> centroids, List<ClassQuantization> summaries) {
    this.uid = uid;
    this.centroidList = List.copyOf(centroids);
    this.classSummaries = List.copyOf(summaries);
    featuresCol = new Param<>(this, "featuresCol", "latent vector column");
    labelCol = new Param<>(this, "labelCol", "class label column (int)");
    k = new IntParam(this, "k", "images per class asked for");
    weighting = new Param<>(this, "weighting", "centroid weights: mass, sqrt or uniform");
    setDefault(featuresCol, "latent");
    setDefault(labelCol, "label");
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> featuresCol() {
    return featuresCol;
  }

  public Param<String> labelCol() {
    return labelCol;
  }

  public IntParam k() {
    return k;
  }

  public Param<String> weighting() {
    return weighting;
  }

  public String getFeaturesCol() {
    return $(featuresCol);
  }

  public String getLabelCol() {
    return $(labelCol);
  }

  public int getK() {
    return (Integer) $(k);
  }

  public String getWeighting() {
    return $(weighting);
  }

  public ClassQuantizerModel setFeaturesCol(String value) {
    set(featuresCol, value);
    return this;
  }

  public ClassQuantizerModel setLabelCol(String value) {
    set(labelCol, value);
    return this;
  }

  ClassQuantizerModel setK(int value) {
    set(k, value);
    return this;
  }

  ClassQuantizerModel setWeighting(String value) {
    set(weighting, value);
    return this;
  }

  /** Every centroid, ordered by label then cluster. */
  public List<Centroid> centroidList() {
    return centroidList;
  }

  /** Per-class results, ordered by label. */
  public List<ClassQuantization> summaries() {
    return classSummaries;
  }

  /** The centroids as a DataFrame ({@link #CENTROID_SCHEMA}), ready for {@link CentroidDecoder}. */
  public Dataset<Row> centroids() {
    return centroidTable(centroidList);
  }

  /**
   * Any centroids as a DataFrame ({@link #CENTROID_SCHEMA}): kept ones are decoded again without a
   * model.
   */
  public static Dataset<Row> centroidTable(List<Centroid> centroids) {
    List<Row> rows = new ArrayList<>();
    for (Centroid c : centroids) {
      rows.add(
          RowFactory.create(
              c.label(),
              c.className(),
              c.cluster(),
              Vectors.dense(c.position()),
              c.count(),
              c.weight()));
    }
    return SparkSession.active().createDataFrame(rows, CENTROID_SCHEMA);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    List<String> names = Arrays.asList(schema.fieldNames());
    if (!names.contains(getFeaturesCol()) || !names.contains(getLabelCol())) {
      throw new IllegalArgumentException(
          "ClassQuantizerModel: needs columns '"
              + getFeaturesCol()
              + "' and '"
              + getLabelCol()
              + "'; columns are "
              + names);
    }
    return schema.add(PREDICTION, DataTypes.IntegerType, true);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    HashMap<Integer, double[][]> byLabel = new HashMap<>();
    Map<Integer, List<double[]>> grouped = new HashMap<>();
    centroidList.forEach(
        c -> grouped.computeIfAbsent(c.label(), l -> new ArrayList<>()).add(c.position()));
    grouped.forEach((label, list) -> byLabel.put(label, list.toArray(new double[0][])));
    // A latent of a class the model never saw has no centroid: null, not a guess.
    UDF2<Integer, Vector, Integer> nearest =
        (label, v) -> {
          double[][] cs = byLabel.get(label);
          return cs == null ? null : nearestIndex(cs, v.toArray());
        };
    Dataset<Row> data = dataset.toDF();
    return data.withColumn(
        PREDICTION,
        udf(nearest, DataTypes.IntegerType)
            .apply(
                col(getLabelCol()),
                LatentValues.asVector(
                    getFeaturesCol(), data.schema().apply(getFeaturesCol()).dataType())));
  }

  static int nearestIndex(double[][] centroids, double[] x) {
    int best = 0;
    double bestDistance = Double.POSITIVE_INFINITY;
    for (int c = 0; c < centroids.length; c++) {
      double d = 0;
      for (int i = 0; i < x.length; i++) {
        double diff = x[i] - centroids[c][i];
        d += diff * diff;
      }
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    return best;
  }

  @Override
  public ClassQuantizerModel copy(ParamMap extra) {
    ClassQuantizerModel copied = new ClassQuantizerModel(uid, centroidList, classSummaries);
    return copyValues(copied, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<ClassQuantizerModel> read() {
    return new Reader();
  }

  public static ClassQuantizerModel load(String path) {
    return read().load(path);
  }

  /** Params as MLlib's metadata, centroids and summaries as Parquet beside it. */
  private static final class Writer extends MLWriter {
    private final ClassQuantizerModel model;

    Writer(ClassQuantizerModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(model, path, sparkSession());
      model.centroids().repartition(1).write().parquet(path + "/centroids");
      QuantizationTable.toDataFrame(sparkSession(), model.summaries())
          .repartition(1)
          .write()
          .parquet(path + "/classes");
    }
  }

  private static final class Reader extends MLReader<ClassQuantizerModel> {
    @Override
    public ClassQuantizerModel load(String path) {
      DefaultParamsReader.Metadata metadata =
          DefaultParamsReader.loadMetadata(
              path, sparkSession(), ClassQuantizerModel.class.getName());
      List<Centroid> centroids = new ArrayList<>();
      for (Row r :
          sparkSession()
              .read()
              .parquet(path + "/centroids")
              .orderBy("label", "cluster")
              .collectAsList()) {
        centroids.add(
            new Centroid(
                r.getInt(0),
                r.getString(1),
                r.getInt(2),
                ((Vector) r.get(3)).toArray(),
                r.getLong(4),
                r.getDouble(5)));
      }
      List<ClassQuantization> summaries =
          QuantizationTable.fromDataFrame(sparkSession().read().parquet(path + "/classes"));
      ClassQuantizerModel model = new ClassQuantizerModel(metadata.uid(), centroids, summaries);
      metadata.getAndSetParams(model, Option.empty());
      return model;
    }
  }
}
