package org.ddoq.core.stage;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.ddoq.core.quantize.Seeds;

/**
 * Quantizes one class: MLlib k-means with k = images per class, keeping the best of {@code
 * restarts} fits, or every point its own centroid when the class has no more than k points. Returns
 * centroids with their cell counts (empty cells dropped: a centroid nobody is nearest to carries no
 * mass).
 */
final class ClassFit {

  /** Centroids and counts of one class, and what the user should know about them. */
  record Result(
      List<double[]> centroids, List<Long> counts, double cost, int iterations, String note) {}

  private ClassFit() {}

  static Result fit(
      Dataset<Row> classRows,
      String featuresCol,
      long size,
      int k,
      long seed,
      int label,
      int maxIter,
      double tol,
      String initMode,
      int restarts) {
    if (size <= k) {
      List<double[]> own = new ArrayList<>();
      List<Long> counts = new ArrayList<>();
      for (Row row : classRows.select(featuresCol).collectAsList()) {
        own.add(((Vector) row.get(0)).toArray());
        counts.add(1L);
      }
      String note =
          size < k
              ? "class has "
                  + size
                  + " images, fewer than k = "
                  + k
                  + ": each image is its own centroid"
              : "class has exactly k = " + k + " images: each image is its own centroid";
      return new Result(own, counts, 0.0, 0, note);
    }
    if (k == 1) {
      // MLlib's KMeans refuses k = 1; the optimal one-point quantizer is the class mean, with all
      // the mass.
      Row stats =
          classRows
              .select(Summarizer.metrics("mean", "variance").summary(col(featuresCol)))
              .first()
              .getStruct(0);
      Vector mean = stats.getAs("mean");
      double cost = 0;
      for (double v : ((Vector) stats.getAs("variance")).toArray()) {
        cost +=
            v * (size - 1); // sample variance back to a sum of squared distances, like MLlib's cost
      }
      return new Result(List.of(mean.toArray()), List.of(size), cost, 0, "");
    }
    Dataset<Row> points = classRows.select(col(featuresCol));
    KMeansModel best = null;
    for (int restart = 0; restart < restarts; restart++) {
      KMeansModel model =
          new KMeans()
              .setK(k)
              .setSeed(Seeds.forRestart(seed, label, restart))
              .setMaxIter(maxIter)
              .setTol(tol)
              .setInitMode(initMode)
              .setFeaturesCol(featuresCol)
              .fit(points);
      if (best == null || model.summary().trainingCost() < best.summary().trainingCost()) {
        best = model;
      }
    }
    Vector[] centers = best.clusterCenters();
    long[] sizes = best.summary().clusterSizes();
    List<double[]> centroids = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    int empty = 0;
    for (int c = 0; c < centers.length; c++) {
      if (sizes[c] == 0) {
        empty++;
        continue;
      }
      centroids.add(centers[c].toArray());
      counts.add(sizes[c]);
    }
    String note = "";
    if (centroids.size() < k) {
      note =
          "k-means returned "
              + centroids.size()
              + " non-empty clusters of k = "
              + k
              + (empty > 0 ? " (" + empty + " empty dropped)" : "")
              + ": the class has fewer distinct latents than k; no images were invented";
    }
    return new Result(
        centroids, counts, best.summary().trainingCost(), best.summary().numIter(), note);
  }
}
