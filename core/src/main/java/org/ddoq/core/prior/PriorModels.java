package org.ddoq.core.prior;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.InputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-JVM cache of loaded priors, keyed by (prior directory, device): weights load once per
 * executor JVM, never per task or row. {@link #open} hands each task thread a new {@link
 * PriorSession} with its own predictors over the shared weights; close the session at the end of
 * the partition.
 */
public final class PriorModels {
  private static final Logger LOG = LoggerFactory.getLogger(PriorModels.class);
  private static final Map<Key, Loaded> CACHE = new ConcurrentHashMap<>();

  private PriorModels() {}

  /**
   * A session on the device Spark assigned to the calling task ({@link Devices#forCurrentTask()}).
   */
  public static PriorSession open(String priorDir) {
    return open(priorDir, Devices.forCurrentTask());
  }

  /** A session on {@code device}; loads the prior into the cache on first use in this JVM. */
  public static PriorSession open(String priorDir, Device device) {
    Path dir = Path.of(priorDir).toAbsolutePath().normalize();
    return CACHE.computeIfAbsent(new Key(dir, device), PriorModels::load).open();
  }

  /**
   * Frees the cached models of one prior directory (every device), so the next {@link #open} reads
   * it again: for a prior that was changed in place (a DiT added after its VAE). Open sessions
   * become invalid.
   */
  public static synchronized void forget(String priorDir) {
    Path dir = Path.of(priorDir).toAbsolutePath().normalize();
    CACHE
        .entrySet()
        .removeIf(
            e -> {
              if (e.getKey().dir().equals(dir)) {
                e.getValue().close();
                return true;
              }
              return false;
            });
  }

  /**
   * Frees every cached model (tests; a JVM that is done with its priors). Open sessions become
   * invalid.
   */
  public static synchronized void closeAll() {
    CACHE.values().forEach(Loaded::close);
    CACHE.clear();
  }

  private static Loaded load(Key key) {
    PriorSpec spec = PriorSpec.read(key.dir);
    return switch (spec.type()) {
      case PriorSpec.TYPE_VAE -> loadVae(key, spec);
      case PriorSpec.TYPE_TORCHSCRIPT -> {
        long start = System.nanoTime();
        Loaded models = TorchScriptSession.Models.load(key.dir, key.device, spec);
        LOG.info(
            "loaded TorchScript prior {} on {} in {} ms",
            key.dir,
            key.device,
            (System.nanoTime() - start) / 1_000_000);
        yield models;
      }
      default ->
          throw new InputException(
              key.dir.resolve(PriorSpec.FILE_NAME)
                  + " has type '"
                  + spec.type()
                  + "', which this build cannot load (it loads '"
                  + PriorSpec.TYPE_VAE
                  + "' and '"
                  + PriorSpec.TYPE_TORCHSCRIPT
                  + "')");
    };
  }

  private static Loaded loadVae(Key key, PriorSpec spec) {
    ImageShape image = spec.imageShape();
    ConvVae vae =
        new ConvVae(image.channels(), spec.architecture(key.dir, PriorSpec.ARCH_VAE_WIDTH));
    Path weights = spec.file(key.dir, PriorSpec.ROLE_VAE);
    long start = System.nanoTime();
    Model root = Model.newInstance("ddoq-vae", key.device);
    try (InputStream in = Files.newInputStream(weights)) {
      root.setBlock(vae);
      vae.initialize(
          root.getNDManager(),
          DataType.FLOAT32,
          new Shape(1, image.channels(), image.height(), image.width()));
      vae.loadParameters(root.getNDManager(), new DataInputStream(in));
    } catch (NoSuchFileException e) {
      root.close();
      throw new InputException(
          "the VAE weights "
              + weights
              + " named in "
              + PriorSpec.FILE_NAME
              + " are missing; copy the whole prior directory or re-create it with `ddoq train-prior`",
          e);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      root.close();
      throw new InputException(
          "could not load the VAE weights "
              + weights
              + " ("
              + e.getMessage()
              + "); re-create the prior with `ddoq train-prior`",
          e);
    }
    // Predictors run a Model's block: two thin models expose the encoder and decoder halves of the
    // one loaded VAE without copying its weights.
    Model encoder = Model.newInstance("ddoq-vae-encoder", key.device);
    encoder.setBlock(vae.encoder());
    Model decoder = Model.newInstance("ddoq-vae-decoder", key.device);
    decoder.setBlock(vae.decoder());
    Model denoiser = null;
    if (spec.hasDenoiser()) {
      try {
        denoiser = loadDit(spec, key);
      } catch (RuntimeException e) {
        decoder.close();
        encoder.close();
        root.close();
        throw e;
      }
    }
    LOG.info(
        "loaded prior {} on {} in {} ms{}",
        key.dir,
        key.device,
        (System.nanoTime() - start) / 1_000_000,
        denoiser == null ? " (VAE only)" : " (VAE and DiT)");
    return new VaeModels(spec, root, encoder, decoder, denoiser);
  }

  /**
   * The built-in {@link Dit} named by the spec's {@value PriorSpec#ROLE_DIT} file and architecture
   * keys.
   */
  private static Model loadDit(PriorSpec spec, Key key) {
    DiffusionSpec diffusion = spec.diffusion();
    if (diffusion.learnedSigma()) {
      throw new InputException(
          key.dir.resolve(PriorSpec.FILE_NAME)
              + " says the built-in DiT learns sigma,"
              + " which it never does; re-create the prior with `ddoq train-prior`");
    }
    Dit dit =
        new Dit(
            spec.latentShape(),
            diffusion.numClasses(),
            Dit.Config.fromArchitecture(spec, key.dir),
            Dit.LABEL_DROPOUT);
    Path weights = spec.file(key.dir, PriorSpec.ROLE_DIT);
    Model model = Model.newInstance("ddoq-dit", key.device);
    try (InputStream in = Files.newInputStream(weights)) {
      model.setBlock(dit);
      dit.initialize(model.getNDManager());
      dit.loadParameters(model.getNDManager(), new DataInputStream(in));
      return model;
    } catch (NoSuchFileException e) {
      model.close();
      throw new InputException(
          "the DiT weights "
              + weights
              + " named in "
              + PriorSpec.FILE_NAME
              + " are missing; copy the whole prior directory or re-create it with `ddoq train-prior`",
          e);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new InputException(
          "could not load the DiT weights "
              + weights
              + " ("
              + e.getMessage()
              + "); re-create the prior with `ddoq train-prior`",
          e);
    }
  }

  private record Key(Path dir, Device device) {}

  /**
   * The weights of one cached prior, one implementation per prior type; each task's session shares
   * them.
   */
  interface Loaded extends AutoCloseable {
    PriorSession open();

    @Override
    void close();
  }

  /** {@code denoiser} is null for a VAE-only prior. */
  private record VaeModels(PriorSpec spec, Model root, Model encoder, Model decoder, Model denoiser)
      implements Loaded {
    @Override
    public PriorSession open() {
      return new VaeSession(spec, encoder, decoder, denoiser);
    }

    @Override
    public void close() {
      if (denoiser != null) {
        denoiser.close();
      }
      encoder.close();
      decoder.close();
      root.close();
    }
  }
}
