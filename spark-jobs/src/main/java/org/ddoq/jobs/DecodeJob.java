package org.ddoq.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.ddoq.core.data.InputException;
import org.ddoq.core.output.CentroidFile;
import org.ddoq.core.output.DistilledSetWriter;
import org.ddoq.core.prior.PriorSpec;
import org.ddoq.core.stage.CentroidDecoder;
import org.ddoq.core.stage.ClassQuantizerModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ddoq decode}: decodes the centroids a finished distill kept ({@code OUT/centroids}) again, with
 * other decoder settings (strength, guidance, steps, the VAE) or another prior with the same latent space,
 * into a new distilled set. Tuning the decoder then costs seconds, not the encode and k-means of the
 * whole dataset again. The new set's summary.json is the old one with the decoding replaced and
 * {@code decoded_from} naming the source.
 */
public final class DecodeJob {
  private static final Logger LOG = LoggerFactory.getLogger(DecodeJob.class);

  private DecodeJob() {}

  public static void main(String[] args) {
    DistillJob.Decoding d = DistillJob.Decoding.defaults();
    Options o = new Options("decode")
        .option("distilled", "OUT", null, "a finished distill output (it holds centroids/)")
        .option("out", "OUT2", null, "where to write the newly decoded set (must not exist)")
        .option("prior", "PRIOR", null, "prior to decode with (default: the one OUT was distilled with)")
        .option("decoder", "auto|dit|vae", d.decoder(), "as distill's --decoder")
        .option("strength", "S", String.valueOf(d.strength()), "dit: noise level each centroid starts from")
        .option("steps", "N", String.valueOf(d.steps()), "dit: DDIM steps of a full-strength run")
        .option("guidance", "G", String.valueOf(d.guidance()), "dit: classifier-free guidance scale")
        .option("eta", "E", String.valueOf(d.eta()), "dit: DDIM stochasticity")
        .option("seed", "S", null, "noise seed (default: OUT's distill seed)")
        .option("batch-size", "N", "256", "centroids per model call")
        .flag("overwrite", "replace OUT2 if it exists")
        .option("master", "URL", null, "Spark master (default: spark-submit's, else local[*])");
    if (List.of(args).contains("--help")) {
      System.out.println(o.usage());
      return;
    }
    o.parse(args);
    String source = o.required("distilled");
    String out = o.required("out");
    DistillJob.Decoding decoding = new DistillJob.Decoding(o.oneOf("decoder", "auto", "dit", "vae"),
        o.number("strength", 0, 1), o.integer("steps", 1), o.number("guidance", 0, Double.MAX_VALUE),
        o.number("eta", 0, 1));
    try (Sessions session = Sessions.create("ddoq decode", o.get("master"))) {
      run(session.spark(), source, out, o.get("prior"), decoding, o.get("seed") == null ? null : o.longValue("seed"),
          o.integer("batch-size", 1), o.flagSet("overwrite"));
      System.out.println("Decoded the centroids of " + source + " into " + out);
    }
  }

  @SuppressWarnings("unchecked")
  static void run(SparkSession spark, String source, String out, String priorArg, DistillJob.Decoding d, Long seedArg,
                  int batchSize, boolean overwrite) {
    long t0 = System.nanoTime();
    Map<String, Object> summary = readSummary(spark, source);
    Map<String, Object> params = (Map<String, Object>) summary.get("parameters");
    Map<String, Object> prior = (Map<String, Object>) summary.get("prior");
    Path priorDir = Path.of(priorArg != null ? priorArg : (String) prior.get("path"));
    PriorSpec spec = PriorSpec.read(priorDir);
    if (!spec.latentShape().toString().equals(prior.get("latent_shape"))) {
      throw new InputException("prior " + priorDir + " has latents " + spec.latentShape() + " but " + source
          + "'s centroids are " + prior.get("latent_shape") + "; decode with a prior of the same VAE");
    }
    if (d.decoder().equals("dit") && !spec.hasDenoiser()) {
      throw new InputException("--decoder dit needs a prior with a diffusion model, but " + priorDir + " has none");
    }
    long seed = seedArg != null ? seedArg : ((Number) params.get("seed")).longValue();
    DistilledSetWriter.prepareTarget(spark, out, overwrite);

    List<ClassQuantizerModel.Centroid> kept = keptCentroids(spark, source, summary);
    Dataset<Row> centroids = new ClassQuantizerModel("decode", kept, List.of()).centroids();
    CentroidDecoder decoder = new CentroidDecoder().setPriorPath(priorDir.toString()).setBatchSize(batchSize)
        .setDecoder(d.decoder()).setStrength(d.strength()).setSteps(d.steps()).setGuidance(d.guidance())
        .setEta(d.eta()).setSeed(seed);
    String used = decoder.resolvedDecoder();
    try {
      CentroidFile.write(new org.apache.hadoop.fs.Path(out).getFileSystem(spark.sparkContext().hadoopConfiguration()),
          out, kept);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the centroids to " + out + ": " + e.getMessage(), e);
    }
    Dataset<Row> decoded = decoder.transform(centroids).persist(StorageLevel.MEMORY_AND_DISK());
    LOG.info("Decoded {} centroids of {} with the {} decoder", decoded.count(), source, used);

    Map<String, Object> newParams = new LinkedHashMap<>(params);
    for (String k : List.of("strength", "steps", "guidance", "eta")) {
      newParams.remove(k);
    }
    newParams.put("seed", seed);
    newParams.put("decoder", used);
    if (used.equals("dit")) {
      newParams.put("strength", d.strength());
      newParams.put("steps", d.steps());
      newParams.put("guidance", d.guidance());
      newParams.put("eta", d.eta());
    }
    Map<String, Object> newPrior = new LinkedHashMap<>(prior);
    newPrior.put("path", priorDir.toString());
    newPrior.put("trained_in_this_run", false);
    Map<String, Object> newSummary = new LinkedHashMap<>(summary);
    newSummary.put("parameters", newParams);
    newSummary.put("prior", newPrior);
    newSummary.put("decoded_from", source);
    newSummary.put("seconds", Map.of("decode", Math.round((System.nanoTime() - t0) / 1e7) / 100.0));
    newSummary.put("started", Instant.ofEpochMilli(System.currentTimeMillis()).toString());
    DistilledSetWriter.write(spark, decoded, out, newSummary);
    decoded.unpersist();
  }

  /** OUT's summary.json, refusing an unfinished run or one distilled before centroids were kept. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> readSummary(SparkSession spark, String source) {
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(source);
    try {
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(new org.apache.hadoop.fs.Path(dir, DistilledSetWriter.SUCCESS))) {
        throw new InputException(source + " is not a finished distill output (no " + DistilledSetWriter.SUCCESS
            + "); run distill to completion first");
      }
      if (!fs.exists(new org.apache.hadoop.fs.Path(dir, CentroidFile.NAME))) {
        throw new InputException(source + " holds no " + CentroidFile.NAME + " (distilled by an older"
            + " ddoq); run distill again to get centroids that can be re-decoded");
      }
      try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(dir, "summary.json"))) {
        return new ObjectMapper().readValue(in, Map.class);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + source + "/summary.json: " + e.getMessage(), e);
    }
  }

  /**
   * OUT's centroids: latents from centroids.npy, label / cluster / count / weight from manifest.csv (same row
   * order; the weights exactly as distill wrote them), class names from summary.json.
   */
  @SuppressWarnings("unchecked")
  private static List<ClassQuantizerModel.Centroid> keptCentroids(SparkSession spark, String source,
                                                                  Map<String, Object> summary) {
    Map<Integer, String> names = new java.util.HashMap<>();
    for (Map<String, Object> c : (List<Map<String, Object>>) summary.get("classes")) {
      names.put(((Number) c.get("label")).intValue(), (String) c.get("class_name"));
    }
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(source);
    try {
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      float[][] latents = CentroidFile.read(fs, source);
      List<String> lines;
      try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(dir, "manifest.csv"))) {
        lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
            .filter(l -> !l.isBlank()).skip(1).toList();
      }
      if (lines.size() != latents.length) {
        throw new InputException(source + "/manifest.csv lists " + lines.size() + " images but "
            + CentroidFile.NAME + " holds " + latents.length + " centroids; run distill again");
      }
      List<ClassQuantizerModel.Centroid> out = new java.util.ArrayList<>();
      for (int i = 0; i < latents.length; i++) {
        // path,label,class_name,cluster,count,weight: the class name may hold quoted commas, so the
        // numbers are read from both ends.
        String[] f = lines.get(i).split(",", -1);
        int label = Integer.parseInt(f[1]);
        out.add(new ClassQuantizerModel.Centroid(label, names.get(label), Integer.parseInt(f[f.length - 3]),
            CentroidFile.widen(latents[i]), Long.parseLong(f[f.length - 2]), Double.parseDouble(f[f.length - 1])));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the centroids of " + source + ": " + e.getMessage(), e);
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new InputException(source + "/manifest.csv is damaged (" + e.getMessage() + "); run distill again");
    }
  }
}
