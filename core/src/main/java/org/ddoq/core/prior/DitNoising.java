package org.ddoq.core.prior;

import java.util.Random;

/**
 * The forward (noising) half of DiT's Gaussian diffusion, as much as training needs: the schedule's
 * abar_t ({@link DiffusionSpec#alphaBars()}, shared with the sampler) and q_sample x_t =
 * sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps.
 */
final class DitNoising {
  private DitNoising() {}

  /** sqrt(abar_t) and sqrt(1 - abar_t) for t = 0..T-1, in double precision as DiT computes them. */
  record Schedule(double[] sqrtAlphaBar, double[] sqrtOneMinusAlphaBar) {
    static Schedule of(DiffusionSpec d) {
      double[] alphaBar = d.alphaBars();
      double[] a = new double[alphaBar.length];
      double[] s = new double[alphaBar.length];
      for (int t = 0; t < alphaBar.length; t++) {
        a[t] = Math.sqrt(alphaBar[t]);
        s[t] = Math.sqrt(1 - alphaBar[t]);
      }
      return new Schedule(a, s);
    }
  }

  /**
   * One training batch: x_t and the network's target, eps or v ({@link DitPrediction}; {@code
   * count} latents of {@code size} floats, flat), the timesteps t, labels y and label-drop mask (1
   * = replace by the null label).
   */
  record Batch(float[] xt, float[] target, int[] t, int[] y, int[] drop) {
    /**
     * Latents order[from .. from+count) of x0, with t, eps and drops drawn from {@code random} in
     * order (the same draws whatever the prediction, so an epsilon and a v run see the same noise).
     */
    static Batch draw(
        float[] x0,
        int[] labels,
        int[] order,
        int from,
        int count,
        int size,
        DiffusionSpec diffusion,
        Schedule schedule,
        DitPrediction prediction,
        Random random) {
      float[] xt = new float[count * size];
      float[] target = new float[count * size];
      int[] t = new int[count];
      int[] y = new int[count];
      int[] drop = new int[count];
      for (int i = 0; i < count; i++) {
        int index = order[from + i];
        t[i] = random.nextInt(diffusion.timesteps());
        y[i] = labels[index];
        drop[i] = random.nextFloat() < Dit.LABEL_DROPOUT ? 1 : 0;
        double a = schedule.sqrtAlphaBar()[t[i]];
        double s = schedule.sqrtOneMinusAlphaBar()[t[i]];
        for (int j = 0; j < size; j++) {
          float e = (float) random.nextGaussian();
          float x = x0[index * size + j];
          target[i * size + j] = (float) prediction.target(e, x, a, s);
          xt[i * size + j] = (float) (a * x + s * e);
        }
      }
      return new Batch(xt, target, t, y, drop);
    }
  }

  /** A uniformly random order of 0..n-1 (Fisher-Yates). */
  static int[] permutation(int n, Random random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
