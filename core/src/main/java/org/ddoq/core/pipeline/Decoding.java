package org.ddoq.core.pipeline;

import java.io.Serializable;
import java.util.Map;
import org.ddoq.core.stage.CentroidDecoder;

/**
 * How centroids become images: the decoder ({@code auto}, {@code dit}, {@code vae}, or for distill
 * {@code nearest}) and the DDIM settings of the dit decoder.
 */
public record Decoding(String decoder, double strength, int steps, double guidance, double eta)
    implements Serializable {

  /** The decode stage's own defaults ({@link CentroidDecoder}), so each default has one home. */
  public static Decoding defaults() {
    CentroidDecoder d = new CentroidDecoder();
    return new Decoding(d.getDecoder(), d.getStrength(), d.getSteps(), d.getGuidance(), d.getEta());
  }

  /** The same settings with another decoder. */
  public Decoding withDecoder(String value) {
    return new Decoding(value, strength, steps, guidance, eta);
  }

  /** The nearest decoder replaces centroids by training images: no prior decodes anything. */
  public boolean nearest() {
    return decoder.equals("nearest");
  }

  /** The decode stage with these settings, noise seeded from {@code seed}. */
  public CentroidDecoder stage(String priorDir, int batchSize, long seed) {
    return new CentroidDecoder()
        .setPriorPath(priorDir)
        .setBatchSize(batchSize)
        .setDecoder(decoder)
        .setStrength(strength)
        .setSteps(steps)
        .setGuidance(guidance)
        .setEta(eta)
        .setSeed(seed);
  }

  /**
   * summary.json's parameters: the decoder used, and the DDIM settings only when the DiT decoded.
   */
  void putParameters(Map<String, Object> parameters, String used) {
    parameters.put("decoder", used);
    if (used.equals("dit")) {
      parameters.put("strength", strength);
      parameters.put("steps", steps);
      parameters.put("guidance", guidance);
      parameters.put("eta", eta);
    }
  }

  /** A line for the log: which decoder, with its DDIM settings when it is the DiT. */
  String describe(String used) {
    return used
        + " decoder"
        + (used.equals("dit")
            ? String.format(
                " (strength %s, %d steps, guidance %s, eta %s)", strength, steps, guidance, eta)
            : "");
  }
}
