package org.ddoq.core.quantize;

import java.util.Locale;

/**
 * Training weights of the k centroids of one class, from the number of class points in each
 * centroid's Voronoi cell. Every scheme returns k non-negative weights that sum to 1.
 */
public final class CentroidWeights {
  private CentroidWeights() {}

  /** How cell counts become weights. */
  public enum Scheme {
    /** count / total: the Voronoi mass, which makes the weighted centroids an optimal quantizer. */
    MASS,
    /** sqrt(count), normalised: flattens the masses to lower the variance of the weighted loss. */
    SQRT,
    /** 1/k whatever the counts: D4M's barycenter weighting, the baseline. */
    UNIFORM;

    /** Parses "mass", "sqrt" or "uniform" (case-insensitive). */
    public static Scheme parse(String text) {
      String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
      return switch (t) {
        case "mass" -> MASS;
        case "sqrt" -> SQRT;
        case "uniform" -> UNIFORM;
        default ->
            throw new IllegalArgumentException(
                "unknown weight scheme '" + text + "'; accepted values: mass, sqrt, uniform");
      };
    }
  }

  /**
   * @param counts points per centroid (k >= 1, each >= 0, total > 0 unless the scheme is UNIFORM)
   * @return k weights summing to 1
   */
  public static double[] weights(long[] counts, Scheme scheme) {
    int k = counts.length;
    if (k == 0) {
      throw new IllegalArgumentException("need at least one centroid count");
    }
    double[] w = new double[k];
    double total = 0;
    for (int j = 0; j < k; j++) {
      if (counts[j] < 0) {
        throw new IllegalArgumentException("count " + j + " is negative: " + counts[j]);
      }
      w[j] =
          switch (scheme) {
            case MASS -> counts[j];
            case SQRT -> Math.sqrt(counts[j]);
            case UNIFORM -> 1;
          };
      total += w[j];
    }
    if (total == 0) {
      throw new IllegalArgumentException(
          "all counts are zero; weights by " + scheme + " are undefined");
    }
    for (int j = 0; j < k; j++) {
      w[j] /= total;
    }
    return w;
  }
}
