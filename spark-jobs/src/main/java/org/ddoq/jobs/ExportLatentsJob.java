package org.ddoq.jobs;

import static org.ddoq.jobs.Cli.required;

import org.ddoq.core.pipeline.LatentExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ddoq export-latents}: its options and a run of {@link LatentExport}. */
@Command(
    name = "export-latents",
    description = "write kept latents as one .npy per class (for Python tools)")
public final class ExportLatentsJob implements Runnable {
  @Mixin Cli.HelpOption help;

  @Option(
      names = "--latents",
      paramLabel = "DIR",
      required = true,
      description = "Parquet latents written by distill --keep-latents (OUT/latents)")
  String latents;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "directory for label_<L>.npy files (must not exist)")
  String out;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master (default: spark-submit's, else local[*])")
  String master;

  @Override
  public void run() {
    required("--latents", latents);
    required("--out", out);
    try (Sessions session = Sessions.create("ddoq export-latents", master)) {
      int classes = LatentExport.export(session.spark(), latents, out);
      System.out.println("Wrote " + classes + " class files to " + out);
    }
  }
}
