package org.ddoq.core.quantize;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Speed at the size of one Fashion-MNIST class (6000 latents of 4x7x7 = 196) at IPC 10 and 50. The
 * bounds are loose on purpose (shared CI cores); the printed times are what to watch.
 */
@Tag("slow")
class UniformTransportTimingTest {

  @Test
  void oneClassAtIpc10And50() {
    for (int k : new int[] {10, 50}) {
      Random rnd = new Random(k);
      float[][] pts = UniformTransportTest.clustered(rnd, 6000, 196, 2 * k);
      double[][] cen = centroidsOfRandomSubsets(rnd, pts, k);
      UniformTransport.w2Squared(pts, cen); // warm-up so the JIT does not dominate the measurement
      long t0 = System.nanoTime();
      double w2 = UniformTransport.w2Squared(pts, cen);
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("n=6000 d=196 k=%d: W2^2=%.6f in %.3f s%n", k, w2, seconds);
      assertTrue(seconds < (k == 10 ? 10 : 30), "k=" + k + " took " + seconds + " s");
    }
  }

  /** Centroids like a k-means fit: each is the mean of a skewed random subset of the points. */
  private static double[][] centroidsOfRandomSubsets(Random rnd, float[][] pts, int k) {
    int d = pts[0].length;
    double[][] cen = new double[k][d];
    int[] count = new int[k];
    for (float[] p : pts) {
      double u = rnd.nextDouble();
      int j = (int) (u * u * k);
      count[j]++;
      for (int i = 0; i < d; i++) {
        cen[j][i] += p[i];
      }
    }
    for (int j = 0; j < k; j++) {
      for (int i = 0; i < d; i++) {
        cen[j][i] /= Math.max(1, count[j]);
      }
    }
    return cen;
  }
}
