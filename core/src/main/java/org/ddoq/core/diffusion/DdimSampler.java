package org.ddoq.core.diffusion;

import java.util.Arrays;

/**
 * DDIM (Song et al.) from a noised latent, with classifier-free guidance, as DiT samples with
 * respaced timesteps. All arithmetic between model calls is float64; the model sees float32.
 *
 * <p><b>Visited timesteps</b> (T = {@link GaussianDiffusion#timesteps()}, s = strength, round(v) =
 * floor(v + 0.5)): none when s = 0. Otherwise
 *
 * <pre>
 *   t_start = clip(round(s * T) - 1, 0, T - 1)
 *   n       = min(max(1, round(steps * s)), t_start + 1)        (at most one step per timestep)
 *   u_j     = floor((2 j t_start + (n - 1)) / (2 (n - 1)))     j = 0..n-1  (= round(j t_start / (n-1)), exact
 *                                                            integer arithmetic; u_0 = 0, u_{n-1} = t_start)
 *   n == 1: the single timestep t_start
 * </pre>
 *
 * visited in descending order tau_0 = t_start > tau_1 > ... > tau_{n-1} = 0. E.g. T = 1000:
 * strength 1, 25 steps visits 999, 957, 916, ..., 42, 0 (u_j = round(41.625 j)); strength 0.7, 50
 * steps visits 35 timesteps from 699 down to 0 (u_j = round(699 j / 34)).
 *
 * <p><b>Sampling</b> (abar from {@link GaussianDiffusion#alphaBar}, tau' the next visited timestep
 * or -1 after the last, abar_{-1} = 1):
 *
 * <pre>
 *   x = sqrt(abar_{t_start}) x0 + sqrt(1 - abar_{t_start}) z          z = noise.next(i, size)   (first draw)
 *   for each tau:
 *     eps     = g == 1 ? e(x, tau, y) : e(x, tau, null) + g (e(x, tau, y) - e(x, tau, null))
 *     x0_pred = (x - sqrt(1 - abar_tau) eps) / sqrt(abar_tau)
 *     sigma   = eta sqrt((1 - abar_tau') / (1 - abar_tau)) sqrt(1 - abar_tau / abar_tau')
 *     x       = sqrt(abar_tau') x0_pred + sqrt(1 - abar_tau' - sigma^2) eps + sigma z
 *                                                 z = noise.next(i, size) only when sigma > 0
 * </pre>
 *
 * No clipping of x0_pred (DiT samples latents with clip_denoised=False). sigma is 0 at the last
 * step (abar_{-1} = 1) and for eta = 0, so eta = 0 draws exactly one noise vector per image. With
 * guidance the model is called once per step on the batch [x_0..x_{B-1}, x_0..x_{B-1}] with labels
 * [y_0..y_{B-1}, null..null] (conditional half first, as DiT); without, once on the B images. A
 * model output of 2*size values per image (learned sigma) contributes its first size values (CHW:
 * the first C channels).
 */
public final class DdimSampler {
  private final GaussianDiffusion diffusion;
  private final SamplerSettings settings;
  private final int[] taus;

  public DdimSampler(GaussianDiffusion diffusion, SamplerSettings settings) {
    this.diffusion = diffusion;
    this.settings = settings;
    this.taus = visited(diffusion.timesteps(), settings.strength(), settings.steps());
  }

  /** The timesteps visited, descending (see the class comment); empty when strength == 0. */
  public int[] timesteps() {
    return taus.clone();
  }

  /** Noise from one SplitMix64 stream per image, defined in {@link SeededNoise}. */
  public static NoiseSource seeded(long[] seedPerImage) {
    return new SeededNoise(seedPerImage);
  }

  /**
   * @param x0 centroids already multiplied by the prior's scale factor, one C*H*W vector each
   * @param labels their classes, 0..numClasses-1 (or the null label for unconditional samples)
   * @return the denoised latents in the same (scaled) units; strength 0 returns copies of x0, bit
   *     for bit, without calling the model or the noise source
   */
  public float[][] sample(Denoiser model, float[][] x0, int[] labels, NoiseSource noise) {
    int batch = x0.length;
    if (labels.length != batch) {
      throw new IllegalArgumentException(batch + " latents but " + labels.length + " labels");
    }
    int size = batch == 0 ? 0 : x0[0].length;
    for (int i = 0; i < batch; i++) {
      if (x0[i].length != size) {
        throw new IllegalArgumentException(
            "latent " + i + " has " + x0[i].length + " values, not " + size);
      }
      if (labels[i] < 0 || labels[i] > diffusion.spec().nullLabel()) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " outside 0.." + diffusion.spec().nullLabel());
      }
    }
    if (taus.length == 0 || batch == 0) {
      float[][] copy = new float[batch][];
      for (int i = 0; i < batch; i++) {
        copy[i] = x0[i].clone();
      }
      return copy;
    }
    double[][] x = new double[batch][size];
    double a0 = diffusion.alphaBar(taus[0]);
    for (int i = 0; i < batch; i++) {
      float[] z = draw(noise, i, size);
      for (int j = 0; j < size; j++) {
        x[i][j] = Math.sqrt(a0) * x0[i][j] + Math.sqrt(1 - a0) * z[j];
      }
    }
    for (int k = 0; k < taus.length; k++) {
      double a = diffusion.alphaBar(taus[k]);
      double ap = diffusion.alphaBar(k + 1 < taus.length ? taus[k + 1] : -1);
      double sigma = settings.eta() * Math.sqrt((1 - ap) / (1 - a)) * Math.sqrt(1 - a / ap);
      // 1 - ap - sigma^2 >= 0 for eta <= 1; the max only absorbs rounding.
      double dirCoef = Math.sqrt(Math.max(0, 1 - ap - sigma * sigma));
      double[][] eps = guidedEps(model, x, taus[k], labels, size);
      for (int i = 0; i < batch; i++) {
        float[] z = sigma > 0 ? draw(noise, i, size) : null;
        for (int j = 0; j < size; j++) {
          double x0Pred = (x[i][j] - Math.sqrt(1 - a) * eps[i][j]) / Math.sqrt(a);
          x[i][j] = Math.sqrt(ap) * x0Pred + dirCoef * eps[i][j] + (z == null ? 0 : sigma * z[j]);
        }
      }
    }
    float[][] out = new float[batch][size];
    for (int i = 0; i < batch; i++) {
      for (int j = 0; j < size; j++) {
        out[i][j] = (float) x[i][j];
      }
    }
    return out;
  }

  /** One model call per step: the guided epsilon of every image (see the class comment). */
  private double[][] guidedEps(Denoiser model, double[][] x, int tau, int[] labels, int size) {
    int batch = x.length;
    double g = settings.guidance();
    boolean cfg = g != 1;
    int rows = cfg ? 2 * batch : batch;
    float[][] in = new float[rows][];
    int[] t = new int[rows];
    int[] y = new int[rows];
    Arrays.fill(t, tau);
    for (int i = 0; i < batch; i++) {
      in[i] = new float[size];
      for (int j = 0; j < size; j++) {
        in[i][j] = (float) x[i][j];
      }
      y[i] = labels[i];
      if (cfg) {
        in[batch + i] = in[i].clone();
        y[batch + i] = diffusion.spec().nullLabel();
      }
    }
    float[][] out = model.eps(in, t, y);
    if (out.length != rows) {
      throw new IllegalStateException(
          "model returned " + out.length + " outputs for " + rows + " inputs");
    }
    double[][] eps = new double[batch][size];
    for (int i = 0; i < batch; i++) {
      float[] c = epsilon(out[i], size);
      float[] u = cfg ? epsilon(out[batch + i], size) : null;
      for (int j = 0; j < size; j++) {
        eps[i][j] = cfg ? u[j] + g * ((double) c[j] - u[j]) : c[j];
      }
    }
    return eps;
  }

  /**
   * Epsilon of one output: all of it, or the first half of a learned-sigma output (first C
   * channels).
   */
  private static float[] epsilon(float[] output, int size) {
    if (output.length != size && output.length != 2 * size) {
      throw new IllegalStateException(
          "model output has "
              + output.length
              + " values, expected "
              + size
              + " (epsilon) or "
              + 2 * size
              + " (epsilon and learned sigma)");
    }
    return output;
  }

  private static float[] draw(NoiseSource noise, int image, int size) {
    float[] z = noise.next(image, size);
    if (z.length != size) {
      throw new IllegalStateException(
          "noise source gave " + z.length + " values for a latent of " + size);
    }
    return z;
  }

  static int[] visited(int timesteps, double strength, int steps) {
    if (strength == 0) {
      return new int[0];
    }
    int tStart =
        Math.max(0, Math.min(timesteps - 1, (int) Math.floor(strength * timesteps + 0.5) - 1));
    int n = Math.min(Math.max(1, (int) Math.floor(steps * strength + 0.5)), tStart + 1);
    int[] taus = new int[n];
    for (int k = 0; k < n; k++) {
      int j = n - 1 - k;
      taus[k] = n == 1 ? tStart : (int) ((2L * j * tStart + (n - 1)) / (2L * (n - 1)));
    }
    return taus;
  }
}
