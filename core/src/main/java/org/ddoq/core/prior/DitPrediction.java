package org.ddoq.core.prior;

import java.util.Map;

/**
 * What the built-in DiT's network outputs, and how that output becomes the epsilon every sampler
 * expects ({@link PriorSession#denoise} always returns epsilon). With x_t = a x_0 + b eps (a =
 * sqrt(abar_t), b = sqrt(1 - abar_t)):
 *
 * <pre>
 *   EPSILON:  the network predicts eps directly (DiT's choice)
 *   V:        the network predicts v = a eps - b x_0 (Salimans and Ho 2022), and eps = b x_t + a v
 * </pre>
 *
 * Why v is the default: an epsilon network's error e becomes an x_0 error of (b / a) e, 170x at t =
 * 999 on DiT's linear schedule, so the first DDIM steps from a strongly noised centroid start from
 * wild x_0 guesses. With v the x_0 error is b times the v error, never larger than it. Measured on
 * the tiny DiT (docs/results.md, "Why the DiT drew the wrong garments"): its epsilon version
 * predicted x_0 worse than the per-class mean from t = 500 upwards. The network itself is the same;
 * only its training target and this conversion differ.
 */
public enum DitPrediction {
  EPSILON,
  V;

  /**
   * Architecture key in prior.json: 1 for v; 0, or absent (older and imported priors), for epsilon.
   */
  public static final String ARCH_KEY = "ditPredictsV";

  /** The prediction a prior's architecture map names. */
  public static DitPrediction of(Map<String, Integer> architecture) {
    return architecture.getOrDefault(ARCH_KEY, 0) == 1 ? V : EPSILON;
  }

  /** {@code epsilon} or {@code v}, as the command line spells them. */
  public static DitPrediction parse(String name) {
    return switch (name) {
      case "epsilon" -> EPSILON;
      case "v" -> V;
      default ->
          throw new IllegalArgumentException(
              "unknown DiT prediction '" + name + "'; use v or epsilon");
    };
  }

  public String cliName() {
    return this == V ? "v" : "epsilon";
  }

  int archValue() {
    return this == V ? 1 : 0;
  }

  /** The training target for one value: eps itself, or v = a eps - b x0. */
  double target(double eps, double x0, double a, double b) {
    return this == V ? a * eps - b * x0 : eps;
  }

  /** Epsilon from the network's output {@code out} at x_t: out itself, or b x_t + a out. */
  double epsilon(double out, double xt, double a, double b) {
    return this == V ? b * xt + a * out : out;
  }
}
