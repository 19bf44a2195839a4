package org.ddoq.core.stage;

import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.ddoq.core.output.Png;
import org.ddoq.core.prior.PriorSession;

/**
 * Decode stage: appends the PNG of each centroid pushed forward through the prior's decoder.
 *
 * <p>Input: a vector column of latents in the prior's units and CHW order (the {@code centroid} column of
 * {@link ClassQuantizerModel#centroids()}). Output: PNG bytes of the prior's image shape. The decoding
 * path is one {@link PriorTransformer.BatchFunction}, so a diffusion decoder plugs in beside the direct
 * VAE decoding (the no-diffusion baseline).
 */
public final class CentroidDecoder extends PriorTransformer {

  public CentroidDecoder(String uid) {
    super(uid, "centroid", "png");
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
    return CentroidDecoder::decodeBatch;
  }

  private static Object[] decodeBatch(PriorSession session, List<Row> batch, int inputIndex) {
    int expected = session.spec().latentSize();
    float[][] latents = new float[batch.size()][];
    for (int i = 0; i < latents.length; i++) {
      Vector v = batch.get(i).getAs(inputIndex);
      if (v.size() != expected) {
        throw new IllegalArgumentException("centroid " + LatentEncoder.describe(batch.get(i)) + " has " + v.size()
            + " values but the prior's latents have " + expected + "; decode with the prior that encoded them");
      }
      double[] values = v.toArray();
      latents[i] = new float[values.length];
      for (int j = 0; j < values.length; j++) {
        latents[i][j] = (float) values[j];
      }
    }
    byte[][] images = session.decode(latents);
    Object[] out = new Object[images.length];
    for (int i = 0; i < images.length; i++) {
      out[i] = Png.encode(images[i], session.spec().imageShape());
    }
    return out;
  }

  public static MLReader<CentroidDecoder> read() {
    return new DefaultParamsReader<>();
  }

  public static CentroidDecoder load(String path) {
    return read().load(path);
  }
}
