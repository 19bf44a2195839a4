package org.ddoq.core.stage;

import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;

/**
 * {@link ClassQuantizer}'s parameters, their defaults and getters (the setters are the estimator's,
 * so that they return it). Kept apart as MLlib keeps {@code KMeansParams} apart from {@code
 * KMeans}: what can be set is one idea, how a fit runs another. Public because Spark lists the
 * params by reflection on public methods.
 */
public abstract class ClassQuantizerParams extends Estimator<ClassQuantizerModel> {
  /**
   * Default {@link #maxTaskBytes}: 256 MB of float latents, e.g. 65,536 latents of 1,024 numbers
   * (ImageNet's ~1,300 images per class at 4x32x32 are 21 MB). The task also holds the shuffled
   * points while it sorts them and an n x k cost matrix for the uniform W2, so a class near the
   * threshold needs about 3x this much executor memory.
   */
  public static final long DEFAULT_MAX_TASK_BYTES = 256L << 20;

  private final String uid;
  private final IntParam k;
  private final Param<String> featuresCol;
  private final Param<String> labelCol;
  private final Param<String> classNameCol;
  private final LongParam seed;
  private final IntParam maxIter;
  private final DoubleParam tol;
  private final Param<String> initMode;
  private final IntParam restarts;
  private final Param<String> weighting;
  private final IntParam parallelism;
  private final LongParam maxTaskBytes;
  private final Param<String> idCol;

  protected ClassQuantizerParams(String uid) {
    this.uid = uid;
    // Params read uid() when built, so they are created after it is set.
    seed = new LongParam(this, "seed", "run seed: each class's seed is derived from it");
    k =
        new IntParam(
            this, "k", "images per class: centroids per class (>= 1)", ParamValidators.gtEq(1));
    featuresCol = new Param<>(this, "featuresCol", "latent vector column");
    labelCol = new Param<>(this, "labelCol", "class label column (int)");
    classNameCol = new Param<>(this, "classNameCol", "class name column (used when present)");
    maxIter =
        new IntParam(this, "maxIter", "k-means iterations per fit (>= 1)", ParamValidators.gtEq(1));
    tol =
        new DoubleParam(
            this,
            "tol",
            "k-means convergence tolerance on centroid moves (>= 0)",
            ParamValidators.gtEq(0));
    initMode =
        new Param<>(
            this,
            "initMode",
            "k-means initialisation: k-means|| or random",
            ParamValidators.inArray(new String[] {"k-means||", "random"}));
    restarts =
        new IntParam(
            this,
            "restarts",
            "k-means fits per class, the lowest distortion kept (>= 1)",
            ParamValidators.gtEq(1));
    weighting =
        new Param<>(
            this,
            "weighting",
            "centroid weights: mass, sqrt or uniform",
            ParamValidators.inArray(new String[] {"mass", "sqrt", "uniform"}));
    parallelism =
        new IntParam(
            this,
            "parallelism",
            "classes over maxTaskBytes fitted concurrently with MLlib (>= 1)",
            ParamValidators.gtEq(1));
    maxTaskBytes =
        new LongParam(
            this,
            "maxTaskBytes",
            "largest class, in bytes of float latents (n x d x 4), fitted inside one Spark task;"
                + " larger classes use MLlib's distributed KMeans (>= 0)",
            ParamValidators.gtEq(0));
    idCol =
        new Param<>(
            this,
            "idCol",
            "row id column (long or int) that orders a class's points for the in-task fit; without"
                + " it the points are ordered by value");
    setDefault(maxTaskBytes, DEFAULT_MAX_TASK_BYTES);
    setDefault(idCol, "id");
    setDefault(k, 10);
    setDefault(featuresCol, "latent");
    setDefault(labelCol, "label");
    setDefault(classNameCol, "class_name");
    setDefault(seed, 0L);
    setDefault(maxIter, 50);
    setDefault(tol, 1e-6);
    setDefault(initMode, "k-means||");
    // 3, as scikit-learn's n_init: one fit was 2.9 % worse than scikit-learn in a class of digits
    // (docs/benchmarks.md); the best of 3 includes the first fit, so it is never worse.
    setDefault(restarts, 3);
    setDefault(weighting, "mass");
    setDefault(parallelism, 4);
  }

  @Override
  public String uid() {
    return uid;
  }

  public IntParam k() {
    return k;
  }

  public Param<String> featuresCol() {
    return featuresCol;
  }

  public Param<String> labelCol() {
    return labelCol;
  }

  public Param<String> classNameCol() {
    return classNameCol;
  }

  public LongParam seed() {
    return seed;
  }

  public IntParam maxIter() {
    return maxIter;
  }

  public DoubleParam tol() {
    return tol;
  }

  public Param<String> initMode() {
    return initMode;
  }

  public IntParam restarts() {
    return restarts;
  }

  public Param<String> weighting() {
    return weighting;
  }

  public IntParam parallelism() {
    return parallelism;
  }

  public LongParam maxTaskBytes() {
    return maxTaskBytes;
  }

  public Param<String> idCol() {
    return idCol;
  }

  public long getMaxTaskBytes() {
    return (Long) $(maxTaskBytes);
  }

  public String getIdCol() {
    return $(idCol);
  }

  public int getK() {
    return (Integer) $(k);
  }

  public String getFeaturesCol() {
    return $(featuresCol);
  }

  public String getLabelCol() {
    return $(labelCol);
  }

  public String getClassNameCol() {
    return $(classNameCol);
  }

  public long getSeed() {
    return (Long) $(seed);
  }

  public int getMaxIter() {
    return (Integer) $(maxIter);
  }

  public double getTol() {
    return (Double) $(tol);
  }

  public String getInitMode() {
    return $(initMode);
  }

  public int getRestarts() {
    return (Integer) $(restarts);
  }

  public String getWeighting() {
    return $(weighting);
  }

  public int getParallelism() {
    return (Integer) $(parallelism);
  }
}
