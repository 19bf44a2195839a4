package org.ddoq.core.stage;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ddoq.core.quantize.ClassQuantization;

/** Per-class quantization summaries as a DataFrame and back (how the model stores them). */
final class QuantizationTable {
  static final StructType SCHEMA =
      new StructType()
          .add("label", DataTypes.IntegerType, false)
          .add("class_name", DataTypes.StringType, false)
          .add("size", DataTypes.LongType, false)
          .add("requested", DataTypes.IntegerType, false)
          .add("centroids", DataTypes.IntegerType, false)
          .add("distortion", DataTypes.DoubleType, false)
          .add("uniform_w2", DataTypes.DoubleType, false)
          .add("seconds", DataTypes.DoubleType, false)
          .add("note", DataTypes.StringType, false);

  private QuantizationTable() {}

  static Dataset<Row> toDataFrame(SparkSession spark, List<ClassQuantization> summaries) {
    List<Row> rows = new ArrayList<>();
    for (ClassQuantization q : summaries) {
      rows.add(
          RowFactory.create(
              q.label(),
              q.className(),
              q.size(),
              q.requested(),
              q.centroids(),
              q.distortion(),
              q.uniformW2(),
              q.seconds(),
              q.note()));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  static List<ClassQuantization> fromDataFrame(Dataset<Row> df) {
    List<ClassQuantization> out = new ArrayList<>();
    for (Row r : df.orderBy("label").collectAsList()) {
      out.add(
          new ClassQuantization(
              r.getInt(0),
              r.getString(1),
              r.getLong(2),
              r.getInt(3),
              r.getInt(4),
              r.getDouble(5),
              r.getDouble(6),
              r.getDouble(7),
              r.getString(8)));
    }
    return out;
  }
}
