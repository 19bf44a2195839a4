package org.ddoq.core.prior;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.InputException;

/**
 * A task thread's {@link PriorSession} on an imported prior ({@value PriorSpec#TYPE_TORCHSCRIPT}):
 * the TorchScript files written by {@code core/src/main/python/ddoq_export_prior.py}, run by DJL's
 * PyTorch engine. Contracts of the files (see {@link PriorSpec#ROLE_ENCODER} and the script's
 * header): encoder (N,C,H,W) normalised image -> (N,c,h,w) posterior mean; decoder the reverse; DiT
 * (x_t scaled float32, t int64, y int64) -> (N,c,h,w), or (N,2c,h,w) with learned sigma.
 *
 * <p>One predictor per module and session; each call runs in the predictor's own per-call
 * NDManager, freed when the call returns, so native memory stays flat over a partition.
 */
final class TorchScriptSession implements PriorSession {
  private static final String BATCH = "batch";
  private final PriorSpec spec;
  private final Predictor<byte[][], float[][]> encoder;
  private final Predictor<float[][], byte[][]> decoder;
  private final Predictor<Noisy, float[][]> denoiser;

  private TorchScriptSession(Models models) {
    this.spec = models.spec;
    this.encoder = models.encoder.newPredictor(new EncodeTranslator(spec));
    this.decoder = models.decoder.newPredictor(new DecodeTranslator(spec));
    this.denoiser =
        models.dit == null ? null : models.dit.newPredictor(new DenoiseTranslator(spec));
  }

  @Override
  public PriorSpec spec() {
    return spec;
  }

  @Override
  public float[][] encode(byte[][] images) {
    return images.length == 0
        ? new float[0][]
        : run(encoder, images, "encoding " + images.length + " images");
  }

  @Override
  public byte[][] decode(float[][] latents) {
    return latents.length == 0
        ? new byte[0][]
        : run(decoder, latents, "decoding " + latents.length + " latents");
  }

  @Override
  public float[][] denoise(float[][] xt, int[] t, int[] y) {
    if (denoiser == null) {
      throw new IllegalStateException(
          "this imported prior has no '"
              + PriorSpec.ROLE_DIT
              + "' file or no"
              + " \"diffusion\" section; decode with the VAE (--decoder vae) or re-export it with a DiT");
    }
    if (xt.length != t.length || xt.length != y.length) {
      throw new IllegalArgumentException(
          "batch sizes differ: "
              + xt.length
              + " latents, "
              + t.length
              + " timesteps, "
              + y.length
              + " labels");
    }
    DiffusionSpec d = spec.diffusion();
    for (int i = 0; i < xt.length; i++) {
      // checked here: an out-of-range index inside the native embedding lookup is an unreadable
      // error
      if (t[i] < 0 || t[i] >= d.timesteps() || y[i] < 0 || y[i] > d.nullLabel()) {
        throw new IllegalArgumentException(
            "item "
                + i
                + ": t="
                + t[i]
                + " must be in 0.."
                + (d.timesteps() - 1)
                + " and y="
                + y[i]
                + " in 0.."
                + d.nullLabel()
                + " (the null label)");
      }
    }
    return xt.length == 0
        ? new float[0][]
        : run(denoiser, new Noisy(xt, t, y), "denoising " + xt.length + " latents");
  }

  @Override
  public void close() {
    encoder.close();
    decoder.close();
    if (denoiser != null) {
      denoiser.close();
    }
  }

  private static <I, O> O run(Predictor<I, O> predictor, I input, String what) {
    try {
      return predictor.predict(input);
    } catch (TranslateException e) {
      throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * The modules of one prior directory on one device, loaded once per JVM by {@link PriorModels};
   * the DiT is absent (null) when the prior has no diffusion model.
   */
  record Models(PriorSpec spec, Model encoder, Model decoder, Model dit)
      implements PriorModels.Loaded {

    static Models load(Path dir, Device device, PriorSpec spec) {
      Model encoder = module(dir, device, spec, PriorSpec.ROLE_ENCODER);
      Model decoder = null;
      try {
        decoder = module(dir, device, spec, PriorSpec.ROLE_DECODER);
        Model dit = spec.hasDenoiser() ? module(dir, device, spec, PriorSpec.ROLE_DIT) : null;
        return new Models(spec, encoder, decoder, dit);
      } catch (RuntimeException e) {
        encoder.close();
        if (decoder != null) {
          decoder.close();
        }
        throw e;
      }
    }

    @Override
    public PriorSession open() {
      return new TorchScriptSession(this);
    }

    @Override
    public void close() {
      encoder.close();
      decoder.close();
      if (dit != null) {
        dit.close();
      }
    }

    private static Model module(Path dir, Device device, PriorSpec spec, String role) {
      Path file = spec.file(dir, role);
      if (!Files.isRegularFile(file)) {
        throw new InputException(
            "the TorchScript "
                + role
                + " "
                + file
                + " named in "
                + PriorSpec.FILE_NAME
                + " is missing; copy the whole prior directory or re-run ddoq_export_prior.py");
      }
      Model model = Model.newInstance("ddoq-" + role, device, "PyTorch");
      try {
        // mapLocation: load the weights straight onto the task's device, whatever device they were
        // saved on
        model.load(file, null, Map.of("mapLocation", "true"));
        return model;
      } catch (IOException | MalformedModelException | RuntimeException e) {
        model.close();
        throw new InputException(
            "could not load the TorchScript "
                + role
                + " "
                + file
                + " ("
                + e.getMessage()
                + "); re-run ddoq_export_prior.py",
            e);
      }
    }
  }

  /** A denoiser batch: scaled noisy latents with their timesteps and labels. */
  private record Noisy(float[][] xt, int[] t, int[] y) {}

  private record EncodeTranslator(PriorSpec spec)
      implements NoBatchifyTranslator<byte[][], float[][]> {
    @Override
    public NDList processInput(TranslatorContext ctx, byte[][] images) {
      return remember(
          ctx,
          new NDList(
              VaeCodec.images(
                  ctx.getNDManager(), images, spec.imageShape(), spec.pixelNormalization())));
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList list) {
      NDArray mean = checked(list, latentShape(spec, ctx), PriorSpec.ROLE_ENCODER);
      return VaeCodec.means(mean, spec.latentShape());
    }
  }

  private record DecodeTranslator(PriorSpec spec)
      implements NoBatchifyTranslator<float[][], byte[][]> {
    @Override
    public NDList processInput(TranslatorContext ctx, float[][] latents) {
      return remember(
          ctx, new NDList(VaeCodec.latents(ctx.getNDManager(), latents, spec.latentShape())));
    }

    @Override
    public byte[][] processOutput(TranslatorContext ctx, NDList list) {
      ImageShape image = spec.imageShape();
      long n = batch(ctx);
      NDArray decoded =
          checked(
              list,
              new Shape(n, image.channels(), image.height(), image.width()),
              PriorSpec.ROLE_DECODER);
      return VaeCodec.toImages(decoded, image, spec.pixelNormalization());
    }
  }

  private record DenoiseTranslator(PriorSpec spec)
      implements NoBatchifyTranslator<Noisy, float[][]> {
    @Override
    public NDList processInput(TranslatorContext ctx, Noisy in) {
      NDManager manager = ctx.getNDManager();
      long[] t = new long[in.t.length];
      long[] y = new long[in.y.length];
      for (int i = 0; i < t.length; i++) {
        t[i] = in.t[i];
        y[i] = in.y[i];
      }
      return remember(
          ctx,
          new NDList(
              VaeCodec.latents(manager, in.xt, spec.latentShape()),
              manager.create(t),
              manager.create(y)));
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList list) {
      LatentShape latent = spec.latentShape();
      int channels = spec.diffusion().learnedSigma() ? 2 * latent.channels() : latent.channels();
      NDArray out =
          checked(
              list,
              new Shape(batch(ctx), channels, latent.height(), latent.width()),
              PriorSpec.ROLE_DIT);
      // the first C channels are epsilon; with learned sigma the rest parameterise the variance,
      // unused by DDIM
      return VaeCodec.means(out, latent);
    }
  }

  private static Shape latentShape(PriorSpec spec, TranslatorContext ctx) {
    LatentShape l = spec.latentShape();
    return new Shape(batch(ctx), l.channels(), l.height(), l.width());
  }

  /** Batch size of the call, remembered by processInput so outputs can be checked against it. */
  private static long batch(TranslatorContext ctx) {
    return (Long) ctx.getAttachment(BATCH);
  }

  private static NDList remember(TranslatorContext ctx, NDList input) {
    ctx.setAttachment(BATCH, input.head().getShape().get(0));
    return input;
  }

  private static NDArray checked(NDList list, Shape expected, String role) {
    NDArray out = list.singletonOrThrow();
    if (!out.getShape().equals(expected)) {
      throw new IllegalStateException(
          "the TorchScript "
              + role
              + " returned "
              + out.getShape()
              + ", but "
              + PriorSpec.FILE_NAME
              + " implies "
              + expected
              + "; the prior's files and description disagree");
    }
    return out;
  }
}
