package org.ddoq.core.pipeline;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddoq.core.data.ImageDataset;
import org.ddoq.core.prior.PriorSpec;
import org.ddoq.core.quantize.ClassQuantization;

/**
 * The content of OUT/summary.json: what was asked, what was read, what each class gave, how long it
 * took.
 */
final class SummaryJson {
  private SummaryJson() {}

  /**
   * @param seconds the stage times so far (the file is written before the write stage ends)
   */
  static Map<String, Object> of(
      DistillSettings s,
      DistillSummary r,
      ImageDataset data,
      PriorSpec prior,
      Map<String, Double> seconds,
      String started) {
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
    s.decoding().putParameters(params, r.decoder());
    if (s.teacher() != null) {
      params.put("candidates", s.candidates());
      params.put("teacher", s.teacher());
    }
    out.put("parameters", params);

    Map<String, Object> priorInfo = new LinkedHashMap<>();
    priorInfo.put("path", r.prior());
    priorInfo.put("trained_in_this_run", r.priorTrained());
    priorInfo.put("type", prior.type());
    priorInfo.put("image_shape", prior.imageShape().toString());
    priorInfo.put("latent_shape", prior.latentShape().toString());
    out.put("prior", priorInfo);

    Map<String, Object> dataset = new LinkedHashMap<>();
    dataset.put("images", r.images());
    dataset.put("classes", data.classNames().size());
    dataset.put("image_shape", data.shape().toString());
    dataset.put("skipped_count", data.skipped().size());
    List<Map<String, String>> skipped = new ArrayList<>();
    for (ImageDataset.Skipped k : data.skipped()) {
      skipped.add(Map.of("source", k.source(), "reason", k.reason()));
    }
    dataset.put("skipped", skipped);
    out.put("dataset", dataset);

    // The W2 figures describe the images delivered: the chosen training images for the nearest
    // decoder (with the centroids' own figures beside them), else the centroids.
    boolean nearest = r.decoder().equals("nearest");
    Map<Integer, ClassQuantization> centroidsOf = new LinkedHashMap<>();
    r.classes().forEach(c -> centroidsOf.put(c.label(), c));
    List<Map<String, Object>> classes = new ArrayList<>();
    for (ClassQuantization c : r.delivered()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("label", c.label());
      m.put("class_name", c.className());
      m.put("count", c.size());
      m.put("centroids", c.centroids());
      m.put("distortion", c.distortion());
      m.put("uniform_w2", c.uniformW2());
      if (nearest) {
        m.put("centroid_distortion", centroidsOf.get(c.label()).distortion());
        m.put("centroid_uniform_w2", centroidsOf.get(c.label()).uniformW2());
      }
      m.put("seconds", c.seconds());
      if (!c.note().isEmpty()) {
        m.put("note", c.note());
      }
      classes.add(m);
    }
    out.put("classes", classes);
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("distilled_images", r.distilledImages());
    putMeanW2(totals, "", r.delivered());
    if (nearest) {
      putMeanW2(totals, "centroid_", r.classes());
    }
    out.put("totals", totals);
    out.put("seconds", new LinkedHashMap<>(seconds));
    out.put("started", started);
    out.put("finished", Instant.now().toString());
    if (nearest) {
      // Which training file each distilled image is, so a user can trace (and licence-check) every
      // image.
      List<Map<String, Object>> chosen = new ArrayList<>();
      for (DistillSummary.ChosenImage c : r.chosenImages()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", c.label());
        m.put("cluster", c.cluster());
        m.put("id", c.id());
        m.put("source", c.source());
        chosen.add(m);
      }
      out.put("chosen_images", chosen);
    }
    return out;
  }

  /**
   * The paper compares W2 (not its square) of mass-weighted and uniform-weight points, averaged
   * over classes.
   */
  private static void putMeanW2(
      Map<String, Object> totals, String prefix, List<ClassQuantization> classes) {
    double weighted = 0;
    double uniform = 0;
    for (ClassQuantization c : classes) {
      weighted += Math.sqrt(c.distortion());
      uniform += Math.sqrt(c.uniformW2());
    }
    totals.put(prefix + "mean_w2_weighted", weighted / classes.size());
    totals.put(prefix + "mean_w2_uniform", uniform / classes.size());
    totals.put(
        prefix + "w2_reduction_percent",
        uniform > 0 ? 100.0 * (uniform - weighted) / uniform : 0.0);
  }
}
