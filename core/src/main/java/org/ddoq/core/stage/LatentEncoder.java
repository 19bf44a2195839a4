package org.ddoq.core.stage;

import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.ddoq.core.data.ImageRows;
import org.ddoq.core.data.InputException;
import org.ddoq.core.prior.PriorSession;

/**
 * Encode stage: appends each image's latent, the VAE posterior mean (deterministic), as an MLlib
 * vector of {@code latentChannels * latentHeight * latentWidth} values in CHW order.
 *
 * <p>Input: a binary column of unsigned bytes in CHW order, exactly the prior's image shape (the
 * readers in {@code org.ddoq.core.data} produce this). Runs on the executors in batches.
 */
public final class LatentEncoder extends PriorTransformer {

  public LatentEncoder(String uid) {
    super(uid, ImageRows.IMAGE, "latent");
  }

  public LatentEncoder() {
    this(Identifiable.randomUID("latentEncoder"));
  }

  public LatentEncoder setPriorPath(String value) {
    setPriorPathValue(value);
    return this;
  }

  public LatentEncoder setInputCol(String value) {
    setInputColValue(value);
    return this;
  }

  public LatentEncoder setOutputCol(String value) {
    setOutputColValue(value);
    return this;
  }

  public LatentEncoder setBatchSize(int value) {
    setBatchSizeValue(value);
    return this;
  }

  @Override
  protected DataType inputType() {
    return DataTypes.BinaryType;
  }

  @Override
  protected DataType outputType() {
    return SQLDataTypes.VectorType();
  }

  @Override
  protected BatchFunction batchFunction() {
    return LatentEncoder::encodeBatch;
  }

  private static Object[] encodeBatch(PriorSession session, List<Row> batch, int inputIndex) {
    int expected = session.spec().imageShape().size();
    byte[][] images = new byte[batch.size()][];
    for (int i = 0; i < images.length; i++) {
      Row row = batch.get(i);
      byte[] image = row.getAs(inputIndex);
      if (image == null || image.length != expected) {
        throw new InputException(
            "image "
                + describe(row)
                + " has "
                + (image == null ? "no" : image.length)
                + " bytes but the prior expects "
                + session.spec().imageShape()
                + " = "
                + expected
                + " bytes; read the data with the prior's image shape (--image-size) or train a prior for it");
      }
      images[i] = image;
    }
    float[][] latents = session.encode(images);
    Object[] out = new Object[latents.length];
    for (int i = 0; i < latents.length; i++) {
      double[] values = new double[latents[i].length];
      for (int j = 0; j < values.length; j++) {
        values[j] = latents[i][j];
      }
      out[i] = Vectors.dense(values);
    }
    return out;
  }

  /** Names a row by its source file when the reader recorded one, else by id. */
  static String describe(Row row) {
    for (String column : new String[] {ImageRows.SOURCE, ImageRows.ID}) {
      if (row.schema() != null && List.of(row.schema().fieldNames()).contains(column)) {
        return column + "=" + row.getAs(column);
      }
    }
    return row.toString();
  }

  public static MLReader<LatentEncoder> read() {
    return new DefaultParamsReader<>();
  }

  public static LatentEncoder load(String path) {
    return read().load(path);
  }
}
