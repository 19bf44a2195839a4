package org.ddoq.jobs;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.InputException;
import org.ddoq.core.output.Npy;

/**
 * {@code ddoq export-latents}: turns the Parquet latents of {@code distill --keep-latents} into one
 * {@code label_<L>.npy} (float32, n x d, rows in id order) per class, for Python tools such as the
 * scikit-learn comparison in bench/. Streams class by class; never holds more than one partition.
 */
public final class ExportLatentsJob {
  private ExportLatentsJob() {}

  public static void main(String[] args) {
    Options o = new Options("export-latents")
        .option("latents", "DIR", null, "Parquet latents written by distill --keep-latents (OUT/latents)")
        .option("out", "DIR", null, "directory for label_<L>.npy files (must not exist)")
        .option("master", "URL", null, "Spark master (default: spark-submit's, else local[*])");
    if (List.of(args).contains("--help")) {
      System.out.println(o.usage());
      return;
    }
    o.parse(args);
    try (Sessions session = Sessions.create("ddoq export-latents", o.get("master"))) {
      int classes = export(session.spark(), o.required("latents"), o.required("out"));
      System.out.println("Wrote " + classes + " class files to " + o.required("out"));
    }
  }

  static int export(SparkSession spark, String latentsDir, String outDir) {
    Path out = new Path(outDir);
    try {
      FileSystem fs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!new Path(latentsDir).getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(new Path(latentsDir))) {
        throw new InputException("latents " + latentsDir + " do not exist; run distill with --keep-latents first");
      }
      if (fs.exists(out)) {
        throw new InputException("output " + outDir + " already exists; choose a new --out");
      }
      Dataset<Row> latents = spark.read().parquet(latentsDir).select("label", "id", "latent").cache();
      List<Row> sizes = latents.groupBy("label").count().orderBy("label").collectAsList();
      for (Row size : sizes) {
        int label = size.getInt(0);
        Iterator<Row> rows = latents.filter("label = " + label).orderBy("id").toLocalIterator();
        try (DataOutputStream stream = new DataOutputStream(fs.create(new Path(out, "label_" + label + ".npy")))) {
          boolean first = true;
          while (rows.hasNext()) {
            double[] v = ((Vector) rows.next().get(2)).toArray();
            if (first) {
              Npy.writeHeader(stream, size.getLong(1), v.length);
              first = false;
            }
            Npy.writeRow(stream, v);
          }
        }
      }
      latents.unpersist();
      return sizes.size();
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + outDir + " failed: " + e.getMessage(), e);
    }
  }
}
