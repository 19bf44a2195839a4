package org.ddoq.core.stage;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The two forms a latent column takes: an ML vector (doubles: what MLlib and the ML pipeline API
 * speak) or an array of floats (half the memory: what distill caches and keeps, so that 1,000
 * classes of 1,300 latents of 1,024 numbers take 5.3 GB, not 10.6). The stages accept both.
 */
public final class LatentValues {
  private LatentValues() {}

  /** The float form's column type. */
  public static final DataType FLOATS = DataTypes.createArrayType(DataTypes.FloatType, false);

  /** Whether a column of this type holds latents (a vector or an array of floats). */
  public static boolean isLatent(DataType type) {
    return type.sameType(SQLDataTypes.VectorType()) || isFloats(type);
  }

  /** Whether a column of this type holds latents as floats. */
  public static boolean isFloats(DataType type) {
    return type instanceof ArrayType a && a.elementType().sameType(DataTypes.FloatType);
  }

  /** The column as floats (the form distill caches). */
  public static Column asFloats(String column, DataType type) {
    return isFloats(type) ? col(column) : functions.vector_to_array(col(column), "float32");
  }

  /** The column as an ML vector (the form MLlib's KMeans takes). */
  public static Column asVector(String column, DataType type) {
    return isFloats(type) ? functions.array_to_vector(col(column)) : col(column);
  }

  /** One row of a latent table as the per-class computations take it. */
  public record Labelled(int label, long id, float[] x) implements Serializable {}

  /**
   * The rows of {@code columns} = (label int, [id long or int,] latent), latents as floats, id 0
   * without an id column. Float arrays are read from Spark's internal rows: a Row would box every
   * number (1.3 billion at ImageNet's shape), the internal row hands over the array in one copy.
   */
  public static JavaRDD<Labelled> labelled(Dataset<Row> columns, boolean hasId) {
    int x = hasId ? 2 : 1;
    if (!isFloats(columns.schema().apply(x).dataType())) {
      return columns
          .javaRDD()
          .map(
              row ->
                  new Labelled(
                      row.getInt(0),
                      hasId ? ((Number) row.get(1)).longValue() : 0L,
                      floats(row.get(x))));
    }
    boolean longId = hasId && columns.schema().apply(1).dataType().sameType(DataTypes.LongType);
    return columns
        .queryExecution()
        .toRdd()
        .toJavaRDD()
        .map(
            row ->
                new Labelled(
                    row.getInt(0),
                    !hasId ? 0L : longId ? row.getLong(1) : row.getInt(1),
                    row.getArray(x).toFloatArray()));
  }

  /** A latent from a Row: an ML vector or a sequence of floats. */
  public static float[] floats(Object value) {
    if (value instanceof Vector v) {
      double[] d = v.toArray();
      float[] f = new float[d.length];
      for (int i = 0; i < d.length; i++) {
        f[i] = (float) d[i];
      }
      return f;
    }
    if (value instanceof scala.collection.Seq<?> seq) {
      float[] f = new float[seq.size()];
      scala.collection.Iterator<?> it = seq.iterator();
      for (int i = 0; it.hasNext(); i++) {
        f[i] = (Float) it.next();
      }
      return f;
    }
    throw new IllegalArgumentException(
        "a latent must be an ML vector or an array of floats, not "
            + (value == null ? "null" : value.getClass().getName()));
  }

  /** A latent from a Row as doubles (widened exactly from floats). */
  public static double[] doubles(Object value) {
    if (value instanceof Vector v) {
      return v.toArray();
    }
    float[] f = floats(value);
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
