package org.ddoq.core.diffusion;

import org.ddoq.core.quantize.Seeds;

/**
 * Per-image reproducible standard normals, simple enough to re-implement bit for bit in Python.
 *
 * <p>Image i has its own SplitMix64 stream started from {@code seeds[i]} (the generator of {@link
 * java.util.SplittableRandom#SplittableRandom(long)}, written out here so that the definition does
 * not hang on a JDK implementation detail):
 *
 * <pre>
 *   state += 0x9E3779B97F4A7C15;  z = state
 *   z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9;  z = (z ^ (z >>> 27)) * 0x94D049BB133111EB;  z ^= z >>> 31
 *   u = (z >>> 11) * 2^-53                                   (a double in [0, 1))
 * </pre>
 *
 * A call {@code next(i, size)} draws ceil(size/2) pairs (u1, u2), in order, and writes Box-Muller
 * normals r cos(2 pi u2), r sin(2 pi u2) with r = sqrt(-2 ln(1 - u1)) into consecutive positions;
 * for an odd size the last sine is dropped (its pair is still consumed). The stream continues
 * across calls, so the k-th call for image i always yields the same values whatever batch the image
 * is in.
 */
final class SeededNoise implements NoiseSource {
  private final long[] state;

  SeededNoise(long[] seeds) {
    this.state = seeds.clone();
  }

  @Override
  public float[] next(int image, int size) {
    float[] out = new float[size];
    for (int j = 0; j < size; j += 2) {
      double u1 = nextDouble(image);
      double u2 = nextDouble(image);
      // 1 - u1 is in (0, 1], so the logarithm is finite.
      double r = StrictMath.sqrt(-2 * StrictMath.log(1 - u1));
      double angle = 2 * Math.PI * u2;
      out[j] = (float) (r * StrictMath.cos(angle));
      if (j + 1 < size) {
        out[j + 1] = (float) (r * StrictMath.sin(angle));
      }
    }
    return out;
  }

  double nextDouble(int image) {
    return (nextLong(image) >>> 11) * 0x1.0p-53;
  }

  long nextLong(int image) {
    return Seeds.finalise(state[image] += 0x9E3779B97F4A7C15L);
  }
}
