package org.ddoq.core.prior;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.ddoq.core.diffusion.GaussianDiffusion;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How well a prior's DiT knows the data: encode real test images, noise them to t, and compare the
 * DiT's one-step x0 estimate (x_t - sqrt(1 - abar) eps_hat) / sqrt(abar) with the true x0, beside
 * two estimates that need no network: the class mean, and the posterior mean under a per-class
 * diagonal Gaussian. A DiT that is worse than the class mean at some t sends DDIM's early steps the
 * wrong way (docs/results.md, "Why the DiT drew the wrong garments"). Mean squared error per latent
 * value, in the DiT's (scaled) units. {@code mvn -o -B -pl core test -Dtest=DitX0Benchmark
 * -Dddoq.excludedGroups= -Dddoq.prior=DIR[,DIR] [-Dddoq.x0.images=2000]
 * [-Dddoq.fashion=/usr/share/datasets/fashion-mnist]}
 */
@Tag("slow")
class DitX0Benchmark {
  private static final int[] TIMESTEPS = {20, 100, 200, 300, 400, 500, 600, 700, 800, 900, 999};

  @Test
  void oneStepX0ErrorPerTimestep() throws IOException {
    String priors = System.getProperty("ddoq.prior", "");
    assumeTrue(
        !priors.isBlank(), "set -Dddoq.prior=DIR (a prior with a DiT trained on Fashion-MNIST)");
    int n = Integer.getInteger("ddoq.x0.images", 2000);
    String data = System.getProperty("ddoq.fashion", "/usr/share/datasets/fashion-mnist");
    byte[] pixels = gunzip(data + "/t10k-images-idx3-ubyte.gz");
    byte[] labelBytes = gunzip(data + "/t10k-labels-idx1-ubyte.gz");
    byte[][] images = new byte[n][];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      images[i] = Arrays.copyOfRange(pixels, 16 + i * 784, 16 + (i + 1) * 784);
      labels[i] = labelBytes[8 + i];
    }
    for (String prior : priors.split(",")) {
      try (PriorSession session = PriorModels.open(prior)) {
        System.out.println(
            "[x0] "
                + prior
                + " ("
                + DitPrediction.of(session.spec().architecture())
                + " DiT), "
                + n
                + " test images");
        table(session, images, labels);
      }
    }
    PriorModels.closeAll();
  }

  private static void table(PriorSession session, byte[][] images, int[] labels) {
    int n = images.length;
    float scale = (float) session.spec().scaleFactor();
    float[][] x0 = new float[n][];
    for (int i = 0; i < n; i += 100) {
      float[][] latents = session.encode(Arrays.copyOfRange(images, i, Math.min(n, i + 100)));
      for (int j = 0; j < latents.length; j++) {
        x0[i + j] = latents[j];
        for (int k = 0; k < latents[j].length; k++) {
          x0[i + j][k] *= scale;
        }
      }
    }
    int d = x0[0].length;
    int classes = session.spec().diffusion().numClasses();
    double[][] mean = new double[classes][d];
    double[][] var = new double[classes][d];
    int[] count = new int[classes];
    for (int i = 0; i < n; i++) {
      count[labels[i]]++;
      for (int k = 0; k < d; k++) {
        mean[labels[i]][k] += x0[i][k];
        var[labels[i]][k] += (double) x0[i][k] * x0[i][k];
      }
    }
    for (int c = 0; c < classes; c++) {
      for (int k = 0; k < d; k++) {
        mean[c][k] /= Math.max(1, count[c]);
        var[c][k] = var[c][k] / Math.max(1, count[c]) - mean[c][k] * mean[c][k];
      }
    }
    GaussianDiffusion diffusion = new GaussianDiffusion(session.spec().diffusion());
    Random random = new Random(7);
    System.out.println("[x0]    t  sqrt(abar)  DiT(class)  DiT(null)  Gaussian  class-mean");
    for (int t : TIMESTEPS) {
      double abar = diffusion.alphaBar(t);
      double a = Math.sqrt(abar);
      double b = Math.sqrt(1 - abar);
      float[][] xt = new float[n][d];
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < d; k++) {
          xt[i][k] = (float) (a * x0[i][k] + b * random.nextGaussian());
        }
      }
      float[][] conditional = denoise(session, xt, t, labels);
      int[] none = new int[n];
      Arrays.fill(none, session.spec().diffusion().nullLabel());
      float[][] unconditional = denoise(session, xt, t, none);
      double dit = 0;
      double ditNull = 0;
      double gaussian = 0;
      double classMean = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < d; k++) {
          double m = mean[labels[i]][k];
          double v = var[labels[i]][k];
          dit += square((xt[i][k] - b * conditional[i][k]) / a - x0[i][k]);
          ditNull += square((xt[i][k] - b * unconditional[i][k]) / a - x0[i][k]);
          // E[x0 | x_t] for x0 ~ N(m, v) per value: m + a v / (abar v + 1 - abar) (x_t - a m).
          gaussian += square(m + a * v / (abar * v + 1 - abar) * (xt[i][k] - a * m) - x0[i][k]);
          classMean += square(m - x0[i][k]);
        }
      }
      double values = (double) n * d;
      System.out.printf(
          "[x0] %4d  %9.3f  %10.4f  %9.4f  %8.4f  %10.4f%n",
          t, a, dit / values, ditNull / values, gaussian / values, classMean / values);
    }
  }

  private static float[][] denoise(PriorSession session, float[][] xt, int t, int[] labels) {
    float[][] out = new float[xt.length][];
    for (int i = 0; i < xt.length; i += 250) {
      int to = Math.min(xt.length, i + 250);
      int[] ts = new int[to - i];
      Arrays.fill(ts, t);
      float[][] eps =
          session.denoise(Arrays.copyOfRange(xt, i, to), ts, Arrays.copyOfRange(labels, i, to));
      System.arraycopy(eps, 0, out, i, eps.length);
    }
    return out;
  }

  private static double square(double v) {
    return v * v;
  }

  private static byte[] gunzip(String file) throws IOException {
    try (InputStream in = new GZIPInputStream(new FileInputStream(file))) {
      return in.readAllBytes();
    }
  }
}
