package org.ddoq.core.prior;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;

/**
 * A task thread's {@link PriorSession} on a cached built-in prior: its own encoder and decoder
 * predictors, and a denoiser predictor when the prior has a {@link Dit}.
 */
final class VaeSession implements PriorSession {
  private final PriorSpec spec;
  private final Predictor<byte[][], float[][]> encoder;
  private final Predictor<float[][], byte[][]> decoder;
  private final Predictor<DenoiseBatch, float[][]> denoiser;
  private final DitPrediction prediction;
  private final DitNoising.Schedule schedule;

  /** {@code denoiserModel} is null for a VAE-only prior. */
  VaeSession(PriorSpec spec, Model encoderModel, Model decoderModel, Model denoiserModel) {
    this.spec = spec;
    this.encoder = encoderModel.newPredictor(new EncodeTranslator(spec));
    this.decoder = decoderModel.newPredictor(new DecodeTranslator(spec));
    this.denoiser =
        denoiserModel == null ? null : denoiserModel.newPredictor(new DenoiseTranslator(spec));
    this.prediction = DitPrediction.of(spec.architecture());
    this.schedule = spec.hasDenoiser() ? DitNoising.Schedule.of(spec.diffusion()) : null;
  }

  @Override
  public PriorSpec spec() {
    return spec;
  }

  @Override
  public float[][] encode(byte[][] images) {
    if (images.length == 0) {
      return new float[0][];
    }
    try {
      return encoder.predict(images);
    } catch (TranslateException e) {
      throw new IllegalStateException("encoding " + images.length + " images failed", e);
    }
  }

  @Override
  public float[][] denoise(float[][] xt, int[] t, int[] y) {
    if (denoiser == null) {
      throw new IllegalStateException(
          "this prior ("
              + spec.type()
              + ") has no diffusion model; decode with the"
              + " VAE (--decoder vae) or train one into it with `ddoq train-prior`");
    }
    DiffusionSpec d = spec.diffusion();
    if (t.length != xt.length || y.length != xt.length) {
      throw new IllegalArgumentException(
          "denoise needs one timestep and one label per latent, got "
              + xt.length
              + " latents, "
              + t.length
              + " timesteps, "
              + y.length
              + " labels");
    }
    for (int i = 0; i < xt.length; i++) {
      if (t[i] < 0 || t[i] >= d.timesteps() || y[i] < 0 || y[i] > d.nullLabel()) {
        throw new IllegalArgumentException(
            "latent "
                + i
                + ": timestep "
                + t[i]
                + " must be in 0.."
                + (d.timesteps() - 1)
                + " and label "
                + y[i]
                + " in 0.."
                + d.nullLabel()
                + " (null label)");
      }
    }
    if (xt.length == 0) {
      return new float[0][];
    }
    try {
      return epsilon(denoiser.predict(new DenoiseBatch(xt, t, y)), xt, t);
    } catch (TranslateException e) {
      throw new IllegalStateException("denoising " + xt.length + " latents failed", e);
    }
  }

  /**
   * The network's outputs as epsilon ({@link DitPrediction}), in place; in double, rounded once.
   */
  private float[][] epsilon(float[][] out, float[][] xt, int[] t) {
    if (prediction == DitPrediction.EPSILON) {
      return out;
    }
    for (int i = 0; i < out.length; i++) {
      double a = schedule.sqrtAlphaBar()[t[i]];
      double b = schedule.sqrtOneMinusAlphaBar()[t[i]];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = (float) prediction.epsilon(out[i][j], xt[i][j], a, b);
      }
    }
    return out;
  }

  @Override
  public byte[][] decode(float[][] latents) {
    if (latents.length == 0) {
      return new byte[0][];
    }
    try {
      return decoder.predict(latents);
    } catch (TranslateException e) {
      throw new IllegalStateException("decoding " + latents.length + " latents failed", e);
    }
  }

  @Override
  public void close() {
    encoder.close();
    decoder.close();
    if (denoiser != null) {
      denoiser.close();
    }
  }

  /** A whole batch in one forward pass; arrays live in the per-call context manager. */
  private record EncodeTranslator(PriorSpec spec)
      implements NoBatchifyTranslator<byte[][], float[][]> {
    @Override
    public NDList processInput(TranslatorContext ctx, byte[][] images) {
      return new NDList(
          VaeCodec.images(
              ctx.getNDManager(), images, spec.imageShape(), spec.pixelNormalization()));
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList list) {
      return VaeCodec.means(list.singletonOrThrow(), spec.latentShape());
    }
  }

  private record DecodeTranslator(PriorSpec spec)
      implements NoBatchifyTranslator<float[][], byte[][]> {
    @Override
    public NDList processInput(TranslatorContext ctx, float[][] latents) {
      return new NDList(VaeCodec.latents(ctx.getNDManager(), latents, spec.latentShape()));
    }

    @Override
    public byte[][] processOutput(TranslatorContext ctx, NDList list) {
      return VaeCodec.toImages(
          list.singletonOrThrow(), spec.imageShape(), spec.pixelNormalization());
    }
  }

  private record DenoiseBatch(float[][] xt, int[] t, int[] y) {}

  /**
   * (x_t, t, y) to the DiT's inputs; its output (N, C, h, w), eps or v, back to one float[] (CHW)
   * per latent.
   */
  private record DenoiseTranslator(PriorSpec spec)
      implements NoBatchifyTranslator<DenoiseBatch, float[][]> {
    @Override
    public NDList processInput(TranslatorContext ctx, DenoiseBatch batch) {
      NDManager m = ctx.getNDManager();
      return new NDList(
          VaeCodec.latents(m, batch.xt(), spec.latentShape()),
          m.create(batch.t()),
          m.create(batch.y()));
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList list) {
      float[] values = list.singletonOrThrow().toFloatArray();
      int size = spec.latentSize();
      float[][] eps = new float[values.length / size][size];
      for (int i = 0; i < eps.length; i++) {
        System.arraycopy(values, i * size, eps[i], 0, size);
      }
      return eps;
    }
  }
}
