package org.ddoq.jobs;

import org.ddoq.core.pipeline.Decoding;
import org.ddoq.core.pipeline.Redecoder;

/**
 * {@code ddoq decode}: parses the options and runs a {@link Redecoder}, which decodes the centroids
 * a finished distill kept again, with other decoder settings or another prior of the same latent
 * space.
 */
public final class DecodeJob {
  private DecodeJob() {}

  public static void main(String[] args) {
    Decoding d = Decoding.defaults();
    Options o =
        new Options("decode")
            .option("distilled", "OUT", null, "a finished distill output (it holds centroids.npy)")
            .option("out", "OUT2", null, "where to write the newly decoded set (must not exist)")
            .option(
                "prior",
                "PRIOR",
                null,
                "prior to decode with (default: the one OUT was distilled with)")
            .option("decoder", "auto|dit|vae", d.decoder(), "as distill's --decoder")
            .option(
                "strength",
                "S",
                String.valueOf(d.strength()),
                "dit: noise level each centroid starts from")
            .option(
                "steps", "N", String.valueOf(d.steps()), "dit: DDIM steps of a full-strength run")
            .option(
                "guidance",
                "G",
                String.valueOf(d.guidance()),
                "dit: classifier-free guidance scale")
            .option("eta", "E", String.valueOf(d.eta()), "dit: DDIM stochasticity")
            .option("seed", "S", null, "noise seed (default: OUT's distill seed)")
            .option("batch-size", "N", "256", "centroids per model call")
            .flag("overwrite", "replace OUT2 if it exists")
            .option("master", "URL", null, "Spark master (default: spark-submit's, else local[*])");
    if (!o.parseUnlessHelp(args)) {
      return;
    }
    String source = o.required("distilled");
    String out = o.required("out");
    Decoding decoding =
        new Decoding(
            o.oneOf("decoder", "auto", "dit", "vae"),
            o.number("strength", 0, 1),
            o.integer("steps", 1),
            o.number("guidance", 0, Double.MAX_VALUE),
            o.number("eta", 0, 1));
    try (Sessions session = Sessions.create("ddoq decode", o.get("master"))) {
      new Redecoder(
              new Redecoder.Settings(
                  source,
                  out,
                  o.get("prior"),
                  decoding,
                  o.get("seed") == null ? null : o.longValue("seed"),
                  o.integer("batch-size", 1),
                  o.flagSet("overwrite")))
          .run(session.spark());
      System.out.println("Decoded the centroids of " + source + " into " + out);
    }
  }
}
