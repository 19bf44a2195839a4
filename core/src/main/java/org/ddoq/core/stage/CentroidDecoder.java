package org.ddoq.core.stage;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ddoq.core.diffusion.DdimSampler;
import org.ddoq.core.diffusion.GaussianDiffusion;
import org.ddoq.core.diffusion.SamplerSettings;
import org.ddoq.core.output.Png;
import org.ddoq.core.prior.PriorSession;
import org.ddoq.core.prior.PriorSpec;
import org.ddoq.core.quantize.Seeds;

/**
 * Decode stage: appends the PNG of each centroid pushed forward through the prior's decoder.
 *
 * <p>Input: a vector column of latents in the prior's units and CHW order (the {@code centroid}
 * column of {@link ClassQuantizerModel#centroids()}). Output: PNG bytes of the prior's image shape.
 * The decoding
 *
 * <p>Two decoders ({@code decoder} param): {@code dit} noises each centroid to timestep strength *
 * T and denoises it with DDIM through the prior's class-conditional diffusion model
 * (classifier-free guidance, noise seeded per image from (seed, label, cluster)), then VAE-decodes;
 * {@code vae} decodes the centroid directly (the no-diffusion baseline, = strength 0). {@code auto}
 * (default) is {@code dit} when the prior has a diffusion model. The {@code dit} decoder needs int
 * columns {@code label} and {@code cluster}, as {@link ClassQuantizerModel#centroids()} has.
 */
public final class CentroidDecoder extends PriorTransformer {

  /** Default noise level of the dit decoder (see the constructor). */
  public static final double DEFAULT_STRENGTH = 0.3;

  private final Param<String> decoder;
  private final DoubleParam strength;
  private final IntParam steps;
  private final DoubleParam guidance;
  private final DoubleParam eta;
  private final LongParam seed;

  public CentroidDecoder(String uid) {
    super(uid, "centroid", "png");
    decoder =
        new Param<>(
            this,
            "decoder",
            "auto (dit when the prior has a diffusion model), dit or vae",
            ParamValidators.inArray(new String[] {"auto", "dit", "vae"}));
    strength =
        new DoubleParam(
            this,
            "strength",
            "noise level the centroid starts from, t = strength * T (0..1)",
            ParamValidators.inRange(0, 1));
    steps =
        new IntParam(
            this, "steps", "DDIM steps of a full-strength run (>= 1)", ParamValidators.gtEq(1));
    guidance =
        new DoubleParam(
            this,
            "guidance",
            "classifier-free guidance scale (1 = none, >= 0)",
            ParamValidators.gtEq(0));
    eta =
        new DoubleParam(
            this,
            "eta",
            "DDIM stochasticity (0 = deterministic .. 1)",
            ParamValidators.inRange(0, 1));
    seed =
        new LongParam(this, "seed", "seed of the per-image noise (derived with label and cluster)");
    setDefault(decoder, "auto");
    // 0.3: DiT's linear schedule keeps sqrt(alpha_bar) = 0.63 of the centroid at t = 300. Measured
    // (IPC 10, v DiT, 3 seeds): students learn 72.0 % from strength-0.3 images and 66.9 % from
    // strength-0.5 ones (D4M's 0.7 carried over to DiT's schedule), whose images the teacher
    // recognises equally often: the stronger the noise, the more of the centroid's placement is
    // lost (docs/usage.md, "Strength").
    setDefault(strength, DEFAULT_STRENGTH);
    setDefault(steps, 25);
    setDefault(guidance, 4.0);
    setDefault(eta, 0.0);
    setDefault(seed, 0L);
  }

  public Param<String> decoder() {
    return decoder;
  }

  public DoubleParam strength() {
    return strength;
  }

  public IntParam steps() {
    return steps;
  }

  public DoubleParam guidance() {
    return guidance;
  }

  public DoubleParam eta() {
    return eta;
  }

  public LongParam seed() {
    return seed;
  }

  public String getDecoder() {
    return $(decoder);
  }

  public double getStrength() {
    return (Double) $(strength);
  }

  public int getSteps() {
    return (Integer) $(steps);
  }

  public double getGuidance() {
    return (Double) $(guidance);
  }

  public double getEta() {
    return (Double) $(eta);
  }

  public long getSeed() {
    return (Long) $(seed);
  }

  public CentroidDecoder setDecoder(String value) {
    set(decoder, value);
    return this;
  }

  public CentroidDecoder setStrength(double value) {
    set(strength, value);
    return this;
  }

  public CentroidDecoder setSteps(int value) {
    set(steps, value);
    return this;
  }

  public CentroidDecoder setGuidance(double value) {
    set(guidance, value);
    return this;
  }

  public CentroidDecoder setEta(double value) {
    set(eta, value);
    return this;
  }

  public CentroidDecoder setSeed(long value) {
    set(seed, value);
    return this;
  }

  /**
   * The decoder this stage will use with its prior: resolves {@code auto}; refuses dit without a
   * diffusion model.
   */
  public String resolvedDecoder() {
    PriorSpec spec = PriorSpec.read(Path.of(getPriorPath()));
    String chosen =
        getDecoder().equals("auto") ? (spec.hasDenoiser() ? "dit" : "vae") : getDecoder();
    if (chosen.equals("dit") && !spec.hasDenoiser()) {
      throw new IllegalArgumentException(
          "CentroidDecoder: decoder 'dit' needs a prior with a diffusion model, but "
              + getPriorPath()
              + " has none; decode with 'vae' or use a prior trained or imported with a DiT");
    }
    return chosen;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    StructType out = super.transformSchema(schema);
    if (resolvedDecoder().equals("dit")) {
      for (String column : new String[] {"label", "cluster"}) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)
            || !schema.apply(column).dataType().sameType(DataTypes.IntegerType)) {
          throw new IllegalArgumentException(
              "CentroidDecoder: the dit decoder needs an int column '"
                  + column
                  + "' (class-conditional, seeded per image); columns are "
                  + Arrays.toString(schema.fieldNames()));
        }
      }
    }
    return out;
  }

  public CentroidDecoder() {
    this(Identifiable.randomUID("centroidDecoder"));
  }

  public CentroidDecoder setPriorPath(String value) {
    setPriorPathValue(value);
    return this;
  }

  public CentroidDecoder setInputCol(String value) {
    setInputColValue(value);
    return this;
  }

  public CentroidDecoder setOutputCol(String value) {
    setOutputColValue(value);
    return this;
  }

  public CentroidDecoder setBatchSize(int value) {
    setBatchSizeValue(value);
    return this;
  }

  @Override
  protected DataType inputType() {
    return SQLDataTypes.VectorType();
  }

  @Override
  protected DataType outputType() {
    return DataTypes.BinaryType;
  }

  @Override
  protected BatchFunction batchFunction() {
    if (!resolvedDecoder().equals("dit")) {
      return (session, batch, inputIndex) -> toPngs(session, latents(session, batch, inputIndex));
    }
    SamplerSettings settings =
        new SamplerSettings(getStrength(), getSteps(), getGuidance(), getEta());
    long runSeed = getSeed();
    return (session, batch, inputIndex) -> {
      float[][] x = latents(session, batch, inputIndex);
      if (settings.strength() == 0) {
        return toPngs(session, x); // exactly the VAE decoding: no scale round trip
      }
      int[] labels = new int[x.length];
      long[] seeds = new long[x.length];
      for (int i = 0; i < x.length; i++) {
        Row row = batch.get(i);
        labels[i] = row.getInt(row.fieldIndex("label"));
        seeds[i] = Seeds.forDecoderNoise(runSeed, labels[i], row.getInt(row.fieldIndex("cluster")));
      }
      float scale = (float) session.spec().scaleFactor();
      // The diffusion model works on latents times the scale factor; the VAE decodes unscaled
      // latents.
      DdimSampler sampler =
          new DdimSampler(new GaussianDiffusion(session.spec().diffusion()), settings);
      float[][] denoised =
          sampler.sample(session::denoise, scaled(x, scale), labels, DdimSampler.seeded(seeds));
      return toPngs(session, scaled(denoised, 1 / scale));
    };
  }

  private static float[][] scaled(float[][] x, float factor) {
    float[][] out = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      out[i] = new float[x[i].length];
      for (int j = 0; j < x[i].length; j++) {
        out[i][j] = x[i][j] * factor;
      }
    }
    return out;
  }

  private static Object[] toPngs(PriorSession session, float[][] latents) {
    byte[][] images = session.decode(latents);
    Object[] out = new Object[images.length];
    for (int i = 0; i < images.length; i++) {
      out[i] = Png.encode(images[i], session.spec().imageShape());
    }
    return out;
  }

  private static float[][] latents(PriorSession session, List<Row> batch, int inputIndex) {
    int expected = session.spec().latentSize();
    float[][] latents = new float[batch.size()][];
    for (int i = 0; i < latents.length; i++) {
      Vector v = batch.get(i).getAs(inputIndex);
      if (v.size() != expected) {
        throw new IllegalArgumentException(
            "centroid "
                + LatentEncoder.describe(batch.get(i))
                + " has "
                + v.size()
                + " values but the prior's latents have "
                + expected
                + "; decode with the prior that encoded them");
      }
      double[] values = v.toArray();
      latents[i] = new float[values.length];
      for (int j = 0; j < values.length; j++) {
        latents[i][j] = (float) values[j];
      }
    }
    return latents;
  }

  public static MLReader<CentroidDecoder> read() {
    return new DefaultParamsReader<>();
  }

  public static CentroidDecoder load(String path) {
    return read().load(path);
  }
}
