package org.ddoq.core.quantize;

/**
 * Every seed of a run derives from the one run seed through {@link #finalise}, SplitMix64's
 * finaliser (nearby inputs give unrelated outputs), in separate streams: the k-means restarts of a
 * class, the decoder noise of a centroid and the evaluation's draws never share a seed, whatever
 * the labels, restart and cluster indices. The seeds do not depend on the order in which classes
 * are processed.
 */
public final class Seeds {
  /** Marks the decoder-noise stream: cluster r's noise must not reuse restart r's k-means seed. */
  private static final long DECODER_NOISE = 0xD1CE_5EED_0F_D1CEL;

  private Seeds() {}

  /**
   * SplitMix64's output function (Steele, Lea and Flood 2014): a bijection of 64-bit values that
   * mixes well.
   */
  public static long finalise(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The k-means seed of one class and restart. */
  public static long forRestart(long seed, int label, int restart) {
    return finalise(seed + 0x9E3779B97F4A7C15L * (label + 1L) + 0xBF58476D1CE4E5B9L * restart);
  }

  /**
   * The seed of the decoder's noise for one centroid (class, cluster): a stream apart from the
   * k-means one.
   */
  public static long forDecoderNoise(long seed, int label, int cluster) {
    return finalise(forRestart(seed, label, cluster) ^ DECODER_NOISE);
  }

  /** A seed for (seed, value), for the evaluation's per-epoch and per-image draws. */
  public static long mix(long seed, long value) {
    return finalise(seed * 0x9E3779B97F4A7C15L + value);
  }
}
