package org.ddoq.core.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One run seed, separate streams: no seed serves two purposes, and the k-means stream keeps its
 * values.
 */
class SeedsTest {
  @Test
  void kMeansRestartsAndDecoderNoiseNeverShareASeed() {
    Set<Long> kMeans = new HashSet<>();
    Set<Long> noise = new HashSet<>();
    for (int label = 0; label < 100; label++) {
      for (int r = 0; r < 50; r++) {
        kMeans.add(Seeds.forRestart(7, label, r));
        noise.add(Seeds.forDecoderNoise(7, label, r));
      }
    }
    assertEquals(5000, kMeans.size(), "every (class, restart) its own k-means seed");
    assertEquals(5000, noise.size(), "every (class, cluster) its own noise seed");
    kMeans.retainAll(noise);
    assertEquals(Set.of(), kMeans, "restart r's k-means seed is not cluster r's noise seed");
  }

  @Test
  void theKMeansStreamIsTheOneEarlierRunsUsed() {
    // The seed ClassFit gave class 3, restart 1 of run seed 0 before the streams were separated:
    // the same run seed still gives the same centroids.
    long seed = 0;
    int label = 3;
    int restart = 1;
    long z = seed + 0x9E3779B97F4A7C15L * (label + 1L) + 0xBF58476D1CE4E5B9L * restart;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    assertEquals(z ^ (z >>> 31), Seeds.forRestart(seed, label, restart));
    assertNotEquals(Seeds.mix(0, 1), Seeds.mix(1, 0), "mix is not symmetric in its inputs");
  }
}
