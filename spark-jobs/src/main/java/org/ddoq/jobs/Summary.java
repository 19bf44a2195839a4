package org.ddoq.jobs;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddoq.core.data.ImageDataset;
import org.ddoq.core.prior.PriorSpec;
import org.ddoq.core.quantize.ClassQuantization;
import org.ddoq.core.stage.ClassQuantizerModel;

/** The content of OUT/summary.json: what was asked, what was read, what each class gave, how long it took. */
final class Summary {
  private Summary() {}

  static Map<String, Object> of(DistillJob.Settings s, String decoder, ImageDataset data, long images, Path priorDir,
                                boolean trained, PriorSpec prior, ClassQuantizerModel model,
                                Map<String, Double> seconds, String started) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tool", "ddoq " + Version.get());
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("input", s.input());
    params.put("format", data.format());
    params.put("ipc", s.ipc());
    params.put("seed", s.seed());
    params.put("weights", s.weights());
    params.put("restarts", s.restarts());
    params.put("max_iter", s.maxIter());
    params.put("keep_latents", s.keepLatents());
    params.put("decoder", decoder);
    if (decoder.equals("dit")) {
      params.put("strength", s.decoding().strength());
      params.put("steps", s.decoding().steps());
      params.put("guidance", s.decoding().guidance());
      params.put("eta", s.decoding().eta());
    }
    out.put("parameters", params);

    Map<String, Object> priorInfo = new LinkedHashMap<>();
    priorInfo.put("path", priorDir.toString());
    priorInfo.put("trained_in_this_run", trained);
    priorInfo.put("type", prior.type());
    priorInfo.put("image_shape", prior.imageShape().toString());
    priorInfo.put("latent_shape", prior.latentShape().toString());
    out.put("prior", priorInfo);

    Map<String, Object> dataset = new LinkedHashMap<>();
    dataset.put("images", images);
    dataset.put("classes", data.classNames().size());
    dataset.put("image_shape", data.shape().toString());
    dataset.put("skipped_count", data.skipped().size());
    List<Map<String, String>> skipped = new ArrayList<>();
    for (ImageDataset.Skipped k : data.skipped()) {
      skipped.add(Map.of("source", k.source(), "reason", k.reason()));
    }
    dataset.put("skipped", skipped);
    out.put("dataset", dataset);

    List<Map<String, Object>> classes = new ArrayList<>();
    double weightedW2 = 0;
    double uniformW2 = 0;
    for (ClassQuantization c : model.summaries()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("label", c.label());
      m.put("class_name", c.className());
      m.put("count", c.size());
      m.put("centroids", c.centroids());
      m.put("distortion", c.distortion());
      m.put("uniform_w2", c.uniformW2());
      m.put("seconds", c.seconds());
      if (!c.note().isEmpty()) {
        m.put("note", c.note());
      }
      classes.add(m);
      weightedW2 += Math.sqrt(c.distortion());
      uniformW2 += Math.sqrt(c.uniformW2());
    }
    out.put("classes", classes);
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("distilled_images", model.centroidList().size());
    // The paper compares W2 (not its square) of mass-weighted and uniform-weight centroids, averaged over classes.
    totals.put("mean_w2_weighted", weightedW2 / classes.size());
    totals.put("mean_w2_uniform", uniformW2 / classes.size());
    totals.put("w2_reduction_percent", uniformW2 > 0 ? 100.0 * (uniformW2 - weightedW2) / uniformW2 : 0.0);
    out.put("totals", totals);
    out.put("seconds", seconds);
    out.put("started", started);
    out.put("finished", Instant.now().toString());
    return out;
  }
}
