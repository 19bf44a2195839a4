package org.ddoq.core.pipeline;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.ddoq.core.data.InputException;
import org.ddoq.core.output.CentroidFile;
import org.ddoq.core.output.DistilledSetWriter;
import org.ddoq.core.output.StagedOutput;
import org.ddoq.core.output.SummaryFile;
import org.ddoq.core.prior.PriorSpec;
import org.ddoq.core.quantize.Centroid;
import org.ddoq.core.stage.CentroidDecoder;
import org.ddoq.core.stage.ClassQuantizerModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ddoq decode}: decodes the centroids a finished distill kept (OUT/centroids.npy) again,
 * with other decoder settings (strength, guidance, steps, the VAE) or another prior with the same
 * latent space, into a new distilled set. Tuning the decoder then costs seconds, not the encode and
 * k-means of the whole dataset again. The new set's summary.json is the old one with the decoding
 * replaced and {@code decoded_from} naming the source.
 */
public final class Redecoder {
  private static final Logger LOG = LoggerFactory.getLogger(Redecoder.class);

  /**
   * @param distilled a finished distill output
   * @param out where the new set goes; must not exist unless {@code overwrite}
   * @param prior the prior to decode with; null: the one {@code distilled} was made with
   * @param decoding auto, dit or vae, and the DDIM settings
   * @param seed noise seed; null: the distill's own
   */
  public record Settings(
      String distilled,
      String out,
      String prior,
      Decoding decoding,
      Long seed,
      int batchSize,
      boolean overwrite) {}

  /**
   * What a decode produced: the new set, the prior and decoder used, the seed, the images decoded.
   */
  public record Summary(String out, String prior, String decoder, long seed, long images) {}

  private final Settings settings;

  public Redecoder(Settings settings) {
    this.settings = settings;
  }

  public Summary run(SparkSession spark) {
    Settings s = settings;
    long t0 = System.nanoTime();
    FinishedRun source = FinishedRun.open(spark, s.distilled());
    SummaryFile view = source.view();
    Path priorDir = Path.of(s.prior() != null ? s.prior() : view.prior().path());
    PriorSpec spec = PriorSpec.read(priorDir);
    if (!spec.latentShape().toString().equals(view.prior().latentShape())) {
      throw new InputException(
          "prior "
              + priorDir
              + " has latents "
              + spec.latentShape()
              + " but "
              + s.distilled()
              + "'s centroids are "
              + view.prior().latentShape()
              + "; decode with a prior of the same VAE");
    }
    if (s.decoding().decoder().equals("dit") && !spec.hasDenoiser()) {
      throw new InputException(
          "--decoder dit needs a prior with a diffusion model, but " + priorDir + " has none");
    }
    long seed = s.seed() != null ? s.seed() : view.parameters().seed();
    // A new decoding may sit inside the run it re-decodes, not replace it.
    DistilledSetWriter.prepareTarget(
        spark, s.out(), s.overwrite(), s.distilled(), "--distilled", true);

    List<Centroid> kept = source.centroids();
    CentroidDecoder decoder = s.decoding().stage(priorDir.toString(), s.batchSize(), seed);
    String used = decoder.resolvedDecoder();
    // Written aside and moved into place whole (StagedOutput), as distill's sets.
    StagedOutput output = StagedOutput.of(spark, s.out(), Set.of());
    String folder = output.folder();
    CentroidFile.write(spark, folder, kept);
    Dataset<Row> decoded =
        decoder
            .transform(ClassQuantizerModel.centroidTable(kept))
            .persist(StorageLevel.MEMORY_AND_DISK());
    long images = decoded.count();
    LOG.info("Decoded {} centroids of {} with the {} decoder", images, s.distilled(), used);

    Map<String, Object> newParams = source.section("parameters");
    for (String k : List.of("strength", "steps", "guidance", "eta")) {
      newParams.remove(k);
    }
    newParams.put("seed", seed);
    s.decoding().putParameters(newParams, used);
    Map<String, Object> newPrior = source.section("prior");
    newPrior.put("path", priorDir.toString());
    newPrior.put("trained_in_this_run", false);
    Map<String, Object> newSummary = new LinkedHashMap<>(source.summary());
    newSummary.put("parameters", newParams);
    newSummary.put("prior", newPrior);
    newSummary.put("decoded_from", s.distilled());
    newSummary.put("seconds", Map.of("decode", Math.round((System.nanoTime() - t0) / 1e7) / 100.0));
    newSummary.put("started", Instant.ofEpochMilli(System.currentTimeMillis()).toString());
    DistilledSetWriter.writeFiles(spark, decoded, folder, newSummary);
    output.publish();
    decoded.unpersist();
    return new Summary(s.out(), priorDir.toString(), used, seed, images);
  }
}
