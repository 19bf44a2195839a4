package org.ddoq.core.prior;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;

/** A task thread's {@link PriorSession} on a cached VAE: its own encoder and decoder predictors. */
final class VaeSession implements PriorSession {
  private final PriorSpec spec;
  private final Predictor<byte[][], float[][]> encoder;
  private final Predictor<float[][], byte[][]> decoder;

  VaeSession(PriorSpec spec, Model encoderModel, Model decoderModel) {
    this.spec = spec;
    this.encoder = encoderModel.newPredictor(new EncodeTranslator(spec));
    this.decoder = decoderModel.newPredictor(new DecodeTranslator(spec));
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
    throw new IllegalStateException("this prior (" + spec.type() + ") has no diffusion model; decode with the VAE"
        + " (--decoder vae) or use a prior that has one");
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
  }

  /** A whole batch in one forward pass; arrays live in the per-call context manager. */
  private record EncodeTranslator(PriorSpec spec) implements NoBatchifyTranslator<byte[][], float[][]> {
    @Override
    public NDList processInput(TranslatorContext ctx, byte[][] images) {
      return new NDList(VaeCodec.images(ctx.getNDManager(), images, spec.imageShape(),
          spec.pixelNormalization()));
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList list) {
      return VaeCodec.means(list.singletonOrThrow(), spec.latentShape());
    }
  }

  private record DecodeTranslator(PriorSpec spec) implements NoBatchifyTranslator<float[][], byte[][]> {
    @Override
    public NDList processInput(TranslatorContext ctx, float[][] latents) {
      return new NDList(VaeCodec.latents(ctx.getNDManager(), latents, spec.latentShape()));
    }

    @Override
    public byte[][] processOutput(TranslatorContext ctx, NDList list) {
      return VaeCodec.toImages(list.singletonOrThrow(), spec.imageShape(), spec.pixelNormalization());
    }
  }
}
