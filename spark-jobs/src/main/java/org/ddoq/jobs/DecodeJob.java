package org.ddoq.jobs;

import static org.ddoq.jobs.Cli.atLeast;
import static org.ddoq.jobs.Cli.between;
import static org.ddoq.jobs.Cli.required;

import org.ddoq.core.pipeline.Decoding;
import org.ddoq.core.pipeline.Redecoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ddoq decode}: its options (defaults from {@link Decoding#defaults()}) and a run of a
 * {@link Redecoder}, which decodes the centroids a finished distill kept again, with other decoder
 * settings or another prior of the same latent space.
 */
@Command(
    name = "decode",
    description = "decode a distilled set's centroids again with other decoder settings or prior")
public final class DecodeJob implements Runnable {
  private final Decoding defaults = Decoding.defaults();

  @Mixin Cli.HelpOption help;

  @Option(
      names = "--distilled",
      paramLabel = "OUT",
      required = true,
      description = "a finished distill output (it holds centroids.npy)")
  String distilled;

  @Option(
      names = "--out",
      paramLabel = "OUT2",
      required = true,
      description = "where to write the newly decoded set (must not exist)")
  String out;

  @Option(
      names = "--prior",
      paramLabel = "PRIOR",
      description = "prior to decode with (default: the one OUT was distilled with)")
  String prior;

  @Option(
      names = "--decoder",
      paramLabel = "auto|dit|vae",
      description = "as distill's --decoder (default ${DEFAULT-VALUE})")
  Cli.Redecoder decoder = Cli.choice(Cli.Redecoder.class, defaults.decoder());

  @Option(
      names = "--strength",
      paramLabel = "S",
      description = "dit: noise level each centroid starts from (default ${DEFAULT-VALUE})")
  double strength = defaults.strength();

  @Option(
      names = "--steps",
      paramLabel = "N",
      description = "dit: DDIM steps of a full-strength run (default ${DEFAULT-VALUE})")
  int steps = defaults.steps();

  @Option(
      names = "--guidance",
      paramLabel = "G",
      description = "dit: classifier-free guidance scale (default ${DEFAULT-VALUE})")
  double guidance = defaults.guidance();

  @Option(
      names = "--eta",
      paramLabel = "E",
      description = "dit: DDIM stochasticity (default ${DEFAULT-VALUE})")
  double eta = defaults.eta();

  @Option(
      names = "--seed",
      paramLabel = "S",
      description = "noise seed (default: OUT's distill seed)")
  Long seed;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      description = "centroids per model call (default ${DEFAULT-VALUE})")
  int batchSize = 256;

  @Option(names = "--overwrite", description = "replace OUT2 if it exists")
  boolean overwrite;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master (default: spark-submit's, else local[*])")
  String master;

  @Override
  public void run() {
    String source = required("--distilled", distilled);
    required("--out", out);
    Decoding decoding =
        new Decoding(
            decoder.toString(),
            between("--strength", strength, 0, 1),
            atLeast("--steps", steps, 1),
            between("--guidance", guidance, 0, Double.MAX_VALUE),
            between("--eta", eta, 0, 1));
    try (Sessions session = Sessions.create("ddoq decode", master)) {
      new Redecoder(
              new Redecoder.Settings(
                  source,
                  out,
                  prior,
                  decoding,
                  seed,
                  atLeast("--batch-size", batchSize, 1),
                  overwrite))
          .run(session.spark());
      System.out.println("Decoded the centroids of " + source + " into " + out);
    }
  }
}
