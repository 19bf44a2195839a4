package org.ddoq.core.pipeline;

import java.nio.file.Path;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.InputException;
import org.ddoq.core.prior.PriorSpec;

/**
 * The checks a distill makes on its settings before any work is done, each one line naming the
 * option and what to do: a wrong combination fails in seconds, not after reading and encoding.
 */
final class DistillChecks {
  private DistillChecks() {}

  /**
   * The shape images are resized to: the prior's when one is given (an --image-size that differs is
   * refused: the prior encodes only its own shape), else --image-size, else null (the first
   * image's).
   */
  static ImageShape targetShape(DistillSettings settings, PriorSpec given) {
    ImageShape asked =
        settings.imageSize() == null
            ? null
            : ImageShape.parseOption("--image-size", settings.imageSize());
    if (given == null) {
      return asked;
    }
    if (asked != null && !asked.equals(given.imageShape())) {
      throw new InputException(
          "--image-size "
              + asked
              + " differs from the "
              + given.imageShape()
              + " images of --prior "
              + settings.prior()
              + ", which encodes only those; drop --image-size (images are resized to the"
              + " prior's shape) or give a prior trained at "
              + asked);
    }
    return given.imageShape();
  }

  /** A teacher chooses among the candidates of the nearest decoder, and only there. */
  static void checkChoice(DistillSettings s) {
    if (s.candidates() < 1) {
      throw new InputException("--candidates must be at least 1, got " + s.candidates());
    }
    if ((s.candidates() > 1 || s.teacher() != null) && !s.decoding().nearest()) {
      throw new InputException(
          "--candidates and --teacher choose among training images: they go with"
              + " --decoder nearest, not --decoder "
              + s.decoding().decoder());
    }
    if (s.candidates() > 1 && s.teacher() == null) {
      throw new InputException(
          "--candidates "
              + s.candidates()
              + " needs --teacher FILE.pt or a built-in teacher's folder, the classifier whose"
              + " confidence chooses among each centroid's candidates");
    }
    if (s.teacher() != null && s.candidates() == 1) {
      throw new InputException(
          "--teacher "
              + s.teacher()
              + " chooses among each centroid's --candidates M nearest"
              + " images; give M > 1 (e.g. --candidates 10)");
    }
  }

  /** The dit decoder needs a diffusion model: say so before any work is done. */
  static void checkDecoder(DistillSettings settings, PriorSpec prior, Path priorDir) {
    if (settings.decoding().decoder().equals("dit") && !prior.hasDenoiser()) {
      throw new InputException(
          "--decoder dit needs a prior with a diffusion model, but "
              + priorDir
              + " has none; use --decoder vae, or a prior trained or imported with a DiT");
    }
  }
}
