package org.ddoq.jobs;

import org.ddoq.core.pipeline.LatentExport;

/** {@code ddoq export-latents}: parses the options and runs {@link LatentExport}. */
public final class ExportLatentsJob {
  private ExportLatentsJob() {}

  public static void main(String[] args) {
    Options o =
        new Options("export-latents")
            .option(
                "latents",
                "DIR",
                null,
                "Parquet latents written by distill --keep-latents (OUT/latents)")
            .option("out", "DIR", null, "directory for label_<L>.npy files (must not exist)")
            .option("master", "URL", null, "Spark master (default: spark-submit's, else local[*])");
    if (!o.parseUnlessHelp(args)) {
      return;
    }
    try (Sessions session = Sessions.create("ddoq export-latents", o.get("master"))) {
      int classes = LatentExport.export(session.spark(), o.required("latents"), o.required("out"));
      System.out.println("Wrote " + classes + " class files to " + o.required("out"));
    }
  }
}
