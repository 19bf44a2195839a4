package org.ddoq.core.quantize;

/** Per-class seeds derived from one run seed, independent of the order in which classes are fitted. */
public final class Seeds {
  private Seeds() {}

  /** The seed for one class (and restart), mixed with SplitMix64's finaliser so nearby inputs differ widely. */
  public static long forClass(long seed, int label, int restart) {
    long z = seed + 0x9E3779B97F4A7C15L * (label + 1L) + 0xBF58476D1CE4E5B9L * restart;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
