package org.ddoq.core.prior;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.InputException;

/**
 * What a prior directory holds, as written in its {@value #FILE_NAME}.
 *
 * @param type the kind of prior: {@value #TYPE_VAE} for the built-in VAE; other kinds (imported
 *     TorchScript, a DiT) add their own type and {@code files} roles
 * @param imageShape the images the prior encodes and decodes
 * @param latentShape one latent, channels x height x width
 * @param scaleFactor 1 / std of the training latents (as Stable Diffusion's 0.18215): a diffusion
 *     model works on latent * scaleFactor; latents here stay unscaled
 * @param classNames class name of label i at index i
 * @param pixelNormalization how unsigned-byte pixels become model input
 * @param files role (e.g. {@value #ROLE_VAE}) to file name, relative to the prior directory
 * @param architecture integers that rebuild the network before its weights load (for the built-in
 *     VAE: {@value #ARCH_VAE_WIDTH}); each type defines its own keys
 * @param training how the prior was trained here; null for imported priors
 * @param reconstructionMse mean squared error per pixel, in [0,1] pixel units, of decode(encode(x))
 *     on held-out images; NaN when not measured
 * @param diffusion the diffusion model's schedule and labels when the prior has a denoiser (file
 *     role {@value #ROLE_DIT}); null for a VAE-only prior
 */
public record PriorSpec(
    String type,
    ImageShape imageShape,
    LatentShape latentShape,
    double scaleFactor,
    List<String> classNames,
    PixelNormalization pixelNormalization,
    Map<String, String> files,
    Map<String, Integer> architecture,
    TrainingFacts training,
    double reconstructionMse,
    DiffusionSpec diffusion)
    implements Serializable {

  /** Name of the description file inside a prior directory. */
  public static final String FILE_NAME = "prior.json";

  /** Type of the built-in convolutional VAE prior. */
  public static final String TYPE_VAE = "vae";

  /** Role of the file holding the VAE's weights. */
  public static final String ROLE_VAE = "vae";

  /** Type of an imported prior: TorchScript files loaded with DJL's PyTorch engine. */
  public static final String TYPE_TORCHSCRIPT = "torchscript";

  /**
   * Role of a TorchScript encoder: image (N,C,H,W) normalised -> posterior mean (N,c,h,w),
   * unscaled.
   */
  public static final String ROLE_ENCODER = "encoder";

  /** Role of a TorchScript decoder: latent (N,c,h,w), unscaled -> image (N,C,H,W) normalised. */
  public static final String ROLE_DECODER = "decoder";

  /**
   * Role of the denoiser (DiT): (x_t scaled, t, y) -> epsilon (or 2C channels with learned sigma).
   */
  public static final String ROLE_DIT = "dit";

  /** Architecture key: channels of the built-in VAE's widest layer (see {@link ConvVae}). */
  public static final String ARCH_VAE_WIDTH = "vaeWidth";

  public PriorSpec {
    if (type == null || type.isBlank()) {
      throw new IllegalArgumentException("prior type is missing");
    }
    if (!(scaleFactor > 0) || Double.isInfinite(scaleFactor)) {
      throw new IllegalArgumentException(
          "scale factor must be a positive number, got " + scaleFactor);
    }
    classNames = List.copyOf(classNames);
    files = Map.copyOf(files);
    architecture = Map.copyOf(architecture);
  }

  /** An architecture integer; an {@link InputException} when {@code prior.json} lacks it. */
  public int architecture(Path priorDir, String key) {
    Integer value = architecture.get(key);
    if (value == null) {
      throw new InputException(
          priorDir.resolve(FILE_NAME)
              + " has no \""
              + key
              + "\" in \"architecture\";"
              + " re-create the prior with `ddoq train-prior`");
    }
    return value;
  }

  /**
   * Whether the prior can denoise (has a diffusion model), so centroids can be decoded through it.
   */
  public boolean hasDenoiser() {
    return diffusion != null;
  }

  /** The same prior with a diffusion model added (after training one, or importing one). */
  public PriorSpec withDiffusion(
      DiffusionSpec value, Map<String, String> moreFiles, Map<String, Integer> moreArchitecture) {
    Map<String, String> f = new java.util.LinkedHashMap<>(files);
    f.putAll(moreFiles);
    Map<String, Integer> a = new java.util.LinkedHashMap<>(architecture);
    a.putAll(moreArchitecture);
    return new PriorSpec(
        type,
        imageShape,
        latentShape,
        scaleFactor,
        classNames,
        pixelNormalization,
        f,
        a,
        training,
        reconstructionMse,
        value);
  }

  /** Floats in one latent. */
  public int latentSize() {
    return latentShape.size();
  }

  /** The file that holds {@code role} inside {@code priorDir}. */
  public Path file(Path priorDir, String role) {
    String name = files.get(role);
    if (name == null) {
      throw new InputException(
          priorDir.resolve(FILE_NAME)
              + " names no '"
              + role
              + "' file in \"files\""
              + " (it has "
              + files.keySet()
              + "); re-create the prior with `ddoq train-prior`");
    }
    return priorDir.resolve(name);
  }

  /** Reads {@code priorDir/prior.json}; an {@link InputException} names the file and the fix. */
  public static PriorSpec read(Path priorDir) {
    return PriorSpecJson.read(priorDir);
  }

  /** Writes {@code priorDir/prior.json}, creating the directory if needed. */
  public void write(Path priorDir) {
    PriorSpecJson.write(this, priorDir);
  }

  /**
   * Model input = (pixel / 255 - mean) / std, the same for every channel; a decoded value y becomes
   * the pixel (y * std + mean) * 255, rounded and clamped to 0..255. The built-in VAE works in
   * [0,1] (mean 0, std 1); Stable Diffusion's VAE works in [-1,1] (mean 0.5, std 0.5).
   */
  public record PixelNormalization(double mean, double std) implements Serializable {
    public static final PixelNormalization UNIT = new PixelNormalization(0, 1);

    public PixelNormalization {
      if (!(std > 0)) {
        throw new IllegalArgumentException("pixel normalisation std must be positive, got " + std);
      }
    }
  }

  /**
   * How a built-in prior was trained.
   *
   * @param images training images used
   * @param epochs passes over them
   * @param seconds wall-clock training time
   * @param lossPerEpoch mean training loss of each epoch (reconstruction MSE per pixel + beta * KL
   *     per pixel)
   * @param batchSize images per step
   * @param learningRate Adam's learning rate
   * @param beta weight of the KL term
   * @param seed the seed that makes training repeatable
   */
  public record TrainingFacts(
      int images,
      int epochs,
      double seconds,
      List<Double> lossPerEpoch,
      int batchSize,
      double learningRate,
      double beta,
      long seed)
      implements Serializable {
    public TrainingFacts {
      lossPerEpoch = List.copyOf(lossPerEpoch);
    }
  }
}
