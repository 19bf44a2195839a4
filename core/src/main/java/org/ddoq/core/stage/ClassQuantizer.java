package org.ddoq.core.stage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.ddoq.core.data.InputException;
import org.ddoq.core.quantize.Centroid;
import org.ddoq.core.quantize.CentroidWeights;
import org.ddoq.core.quantize.ClassQuantization;
import org.ddoq.core.quantize.LloydKMeans;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quantize stage: per class, k-means in latent space with k = images per class; each centroid's
 * weight is the mass of its Voronoi cell (count / class size) by default, or its square root
 * (normalised), or uniform (= D4M). The model also reports, per class, the distortion and the exact
 * W2^2 of the same centroids with uniform weights.
 *
 * <p>Two paths. A class whose latents take at most {@link #maxTaskBytes} (n x d x 4 bytes, default
 * {@value #DEFAULT_MAX_TASK_BYTES}) is fitted inside one Spark task ({@link InTaskFits}, {@link
 * LloydKMeans}): the table is shuffled by class, the class's points are sorted by {@link #idCol}
 * (so the result does not depend on the partitioning), k-means++ and Lloyd run in memory with BLAS
 * distance products, and the task also computes the counts, the distortion and the uniform W2; the
 * driver receives only those. A larger class goes to MLlib's distributed KMeans as before, one job
 * per iteration, {@link #parallelism} classes at a time. In the task, {@code initMode} "k-means||"
 * (MLlib's parallel variant of k-means++) means k-means++.
 *
 * <p>Input: a label column (int), a vector column of latents, optionally an id column (long) and a
 * class-name column.
 */
public final class ClassQuantizer extends ClassQuantizerParams implements MLWritable {
  private static final Logger LOG = LoggerFactory.getLogger(ClassQuantizer.class);

  /** Up to this many classes the driver logs one line per class. */
  private static final int PER_CLASS_LINES = 20;

  public ClassQuantizer(String uid) {
    super(uid);
  }

  public ClassQuantizer() {
    this(Identifiable.randomUID("classQuantizer"));
  }

  public ClassQuantizer setMaxTaskBytes(long value) {
    set(maxTaskBytes(), value);
    return this;
  }

  public ClassQuantizer setIdCol(String value) {
    set(idCol(), value);
    return this;
  }

  public ClassQuantizer setK(int value) {
    set(k(), value);
    return this;
  }

  public ClassQuantizer setFeaturesCol(String value) {
    set(featuresCol(), value);
    return this;
  }

  public ClassQuantizer setLabelCol(String value) {
    set(labelCol(), value);
    return this;
  }

  public ClassQuantizer setClassNameCol(String value) {
    set(classNameCol(), value);
    return this;
  }

  public ClassQuantizer setSeed(long value) {
    set(seed(), value);
    return this;
  }

  public ClassQuantizer setMaxIter(int value) {
    set(maxIter(), value);
    return this;
  }

  public ClassQuantizer setTol(double value) {
    set(tol(), value);
    return this;
  }

  public ClassQuantizer setInitMode(String value) {
    set(initMode(), value);
    return this;
  }

  public ClassQuantizer setRestarts(int value) {
    set(restarts(), value);
    return this;
  }

  public ClassQuantizer setWeighting(String value) {
    set(weighting(), value);
    return this;
  }

  public ClassQuantizer setParallelism(int value) {
    set(parallelism(), value);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    List<String> names = Arrays.asList(schema.fieldNames());
    if (!names.contains(getFeaturesCol())
        || !LatentValues.isLatent(schema.apply(getFeaturesCol()).dataType())) {
      throw new IllegalArgumentException(
          "ClassQuantizer: needs a vector or array<float> column '"
              + getFeaturesCol()
              + "' (set featuresCol); columns are "
              + names);
    }
    if (!names.contains(getLabelCol())
        || !schema.apply(getLabelCol()).dataType().sameType(DataTypes.IntegerType)) {
      throw new IllegalArgumentException(
          "ClassQuantizer: needs an int label column '"
              + getLabelCol()
              + "' (set labelCol); columns are "
              + names);
    }
    return schema.add(ClassQuantizerModel.PREDICTION, DataTypes.IntegerType, false);
  }

  @Override
  public ClassQuantizerModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    boolean hasNames = Arrays.asList(dataset.schema().fieldNames()).contains(getClassNameCol());
    Dataset<Row> data = dataset.toDF();
    boolean persisted = data.storageLevel().equals(StorageLevel.NONE());
    if (persisted) {
      data = data.persist(StorageLevel.MEMORY_AND_DISK());
    }
    try {
      return fitClasses(data, hasNames);
    } finally {
      if (persisted) {
        data.unpersist();
      }
    }
  }

  private ClassQuantizerModel fitClasses(Dataset<Row> data, boolean hasNames) {
    Dataset<Row> sizes =
        hasNames
            ? data.groupBy(getLabelCol(), getClassNameCol()).count()
            : data.groupBy(getLabelCol()).count();
    // Sorted here, not with orderBy: a sort in Spark costs a sampling job and a shuffle.
    List<Row> classes = new ArrayList<>(sizes.collectAsList());
    classes.sort(Comparator.comparingInt(r -> r.getInt(0)));
    if (classes.isEmpty()) {
      throw new InputException(
          "ClassQuantizer: the input has no rows: nothing to quantize; check the input data");
    }
    int countIndex = hasNames ? 2 : 1;
    int d = LatentValues.floats(data.select(getFeaturesCol()).head().get(0)).length;
    List<Integer> inTask = new ArrayList<>();
    List<Row> distributed = new ArrayList<>();
    for (Row c : classes) {
      // A class in a task is one float array: at most Integer.MAX_VALUE - 8 floats whatever the
      // param.
      long limit = Math.min(getMaxTaskBytes(), (Integer.MAX_VALUE - 8L) * Float.BYTES);
      if (c.getLong(countIndex) * d * Float.BYTES <= limit) {
        inTask.add(c.getInt(0));
      } else {
        distributed.add(c);
      }
    }
    LOG.info(
        "Quantizing {} classes with k = {} ({} weights, seed {}): {} in Spark tasks, {} with MLlib's"
            + " distributed KMeans (over {} bytes of latents; {} concurrent fits)",
        classes.size(),
        getK(),
        getWeighting(),
        getSeed(),
        inTask.size(),
        distributed.size(),
        getMaxTaskBytes(),
        getParallelism());
    Map<Integer, ClassFit.Result> results = new HashMap<>();
    Map<Integer, Double> seconds = new HashMap<>();
    Map<Integer, Double> w2 = new HashMap<>();
    if (!inTask.isEmpty()) {
      fitInTasks(data, inTask, results, seconds, w2);
    }
    if (!distributed.isEmpty()) {
      // MLlib's KMeans takes vectors: latents kept as floats are widened as they are read.
      DataType type = data.schema().apply(getFeaturesCol()).dataType();
      DistributedFits.fit(
          data.withColumn(getFeaturesCol(), LatentValues.asVector(getFeaturesCol(), type)),
          distributed,
          countIndex,
          new DistributedFits.Settings(
              getLabelCol(),
              getFeaturesCol(),
              getK(),
              getSeed(),
              getMaxIter(),
              getTol(),
              getInitMode(),
              getRestarts(),
              getParallelism()),
          results,
          seconds,
          w2);
    }
    return buildModel(classes, results, seconds, w2, hasNames);
  }

  /** Classes that fit one task: each fitted, with its uniform W2, inside one Spark task. */
  private void fitInTasks(
      Dataset<Row> data,
      List<Integer> labels,
      Map<Integer, ClassFit.Result> results,
      Map<Integer, Double> seconds,
      Map<Integer, Double> w2) {
    long start = System.nanoTime();
    String id = idColumn(data.schema());
    Map<Integer, InTaskFits.Fitted> fitted =
        InTaskFits.fit(
            data,
            getLabelCol(),
            id,
            getFeaturesCol(),
            labels,
            new InTaskFits.Settings(
                getK(),
                getSeed(),
                getRestarts(),
                getMaxIter(),
                getTol(),
                !getInitMode().equals("random")));
    double fitTotal = 0;
    double w2Total = 0;
    for (int label : labels) {
      InTaskFits.Fitted f = fitted.get(label);
      LloydKMeans.Result r = f.fit();
      long n = r.counts().stream().mapToLong(Long::longValue).sum();
      results.put(
          label,
          new ClassFit.Result(r.centroids(), r.counts(), r.cost(), r.iterations(), r.note()));
      seconds.put(label, f.fitSeconds());
      w2.put(label, f.uniformW2());
      fitTotal += f.fitSeconds();
      w2Total += f.w2Seconds();
      // One line per class reads well for 10 classes; 1,000 get QuantizeProgress's lines instead.
      (labels.size() <= PER_CLASS_LINES ? LOG.atInfo() : LOG.atDebug())
          .log(
              "Quantized class {} ({} latents) into {} centroids, distortion {} in {} s ({} iterations)",
              label,
              n,
              r.centroids().size(),
              String.format("%.5g", r.cost() / n),
              String.format("%.2f", f.fitSeconds()),
              r.iterations());
    }
    LOG.info(
        "Quantized {} classes in Spark tasks (points ordered by {}) in {} s: k-means {} s and exact"
            + " uniform W2 {} s summed over the tasks",
        labels.size(),
        id == null ? "value" : "'" + id + "'",
        String.format("%.1f", (System.nanoTime() - start) / 1e9),
        String.format("%.1f", fitTotal),
        String.format("%.1f", w2Total));
  }

  /** The id column that orders a class's points, or null when the input has none. */
  private String idColumn(StructType schema) {
    if (!Arrays.asList(schema.fieldNames()).contains(getIdCol())) {
      return null;
    }
    DataType type = schema.apply(getIdCol()).dataType();
    if (!type.sameType(DataTypes.LongType) && !type.sameType(DataTypes.IntegerType)) {
      throw new IllegalArgumentException(
          "ClassQuantizer: the id column '" + getIdCol() + "' must be long or int, not " + type);
    }
    return getIdCol();
  }

  private ClassQuantizerModel buildModel(
      List<Row> classes,
      Map<Integer, ClassFit.Result> results,
      Map<Integer, Double> seconds,
      Map<Integer, Double> w2,
      boolean hasNames) {
    CentroidWeights.Scheme scheme = CentroidWeights.Scheme.parse(getWeighting());
    List<Centroid> centroids = new ArrayList<>();
    List<ClassQuantization> summaries = new ArrayList<>();
    for (Row c : classes) {
      int label = c.getInt(0);
      String name = hasNames ? c.getString(1) : String.valueOf(label);
      long n = c.getLong(hasNames ? 2 : 1);
      ClassFit.Result r = results.get(label);
      long[] counts = r.counts().stream().mapToLong(Long::longValue).toArray();
      double[] weights = CentroidWeights.weights(counts, scheme);
      for (int j = 0; j < counts.length; j++) {
        centroids.add(new Centroid(label, name, j, r.centroids().get(j), counts[j], weights[j]));
      }
      summaries.add(
          new ClassQuantization(
              label,
              name,
              n,
              getK(),
              counts.length,
              r.cost() / n,
              w2.getOrDefault(label, 0.0),
              seconds.get(label),
              r.note()));
    }
    ClassQuantizerModel model =
        new ClassQuantizerModel(
            Identifiable.randomUID("classQuantizerModel"), centroids, summaries);
    model
        .setFeaturesCol(getFeaturesCol())
        .setLabelCol(getLabelCol())
        .setK(getK())
        .setWeighting(getWeighting());
    return model.setParent(this);
  }

  @Override
  public ClassQuantizer copy(ParamMap extra) {
    return (ClassQuantizer) defaultCopy(extra);
  }

  @Override
  public MLWriter write() {
    return new DefaultParamsWriter(this);
  }

  public static MLReader<ClassQuantizer> read() {
    return new DefaultParamsReader<>();
  }

  public static ClassQuantizer load(String path) {
    return read().load(path);
  }
}
