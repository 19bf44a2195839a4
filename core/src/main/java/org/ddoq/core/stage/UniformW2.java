package org.ddoq.core.stage;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.ddoq.core.quantize.UniformTransport;
import scala.Tuple2;

/**
 * Exact W2^2 between each class's latents and its centroids with equal masses, computed on the
 * executors: one task holds one class's points, so the driver never sees the latents.
 */
final class UniformW2 {
  private UniformW2() {}

  static Map<Integer, Double> compute(
      Dataset<Row> data, String labelCol, String featuresCol, Map<Integer, double[][]> centroids) {
    if (centroids.isEmpty()) {
      return Map.of();
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
    Broadcast<HashMap<Integer, double[][]>> shared = jsc.broadcast(new HashMap<>(centroids));
    try {
      List<Tuple2<Integer, Double>> result =
          data.select(labelCol, featuresCol)
              .javaRDD()
              .filter(row -> shared.value().containsKey(row.getInt(0)))
              .mapToPair(row -> new Tuple2<>(row.getInt(0), LatentValues.floats(row.get(1))))
              .groupByKey(Math.max(1, Math.min(centroids.size(), jsc.defaultParallelism() * 2)))
              .mapToPair(
                  group -> {
                    List<float[]> points = new java.util.ArrayList<>();
                    group._2().forEach(points::add);
                    double w2 =
                        UniformTransport.w2Squared(
                            points.toArray(new float[0][]), shared.value().get(group._1()));
                    return new Tuple2<>(group._1(), w2);
                  })
              .collect();
      Map<Integer, Double> out = new HashMap<>();
      result.forEach(t -> out.put(t._1(), t._2()));
      return out;
    } finally {
      shared.destroy();
    }
  }
}
