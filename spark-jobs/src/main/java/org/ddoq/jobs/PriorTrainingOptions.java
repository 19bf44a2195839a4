package org.ddoq.jobs;

import org.ddoq.core.data.InputException;
import org.ddoq.core.pipeline.PriorTraining;
import org.ddoq.core.prior.DitPrediction;
import org.ddoq.core.prior.DitTrainingConfig;
import org.ddoq.core.prior.VaeTrainingConfig;

/**
 * The prior-training options, shared by train-prior and distill (which trains a prior when none is
 * given).
 */
final class PriorTrainingOptions {
  private PriorTrainingOptions() {}

  /** Adds the options, with the training configurations' defaults. */
  static Options add(Options o) {
    VaeTrainingConfig d = VaeTrainingConfig.defaults();
    DitTrainingConfig dit = DitTrainingConfig.defaults();
    return o.option("prior-epochs", "N", String.valueOf(d.epochs()), "VAE training epochs")
        .option("prior-batch-size", "N", String.valueOf(d.batchSize()), "VAE training batch size")
        .option(
            "prior-learning-rate", "LR", String.valueOf(d.learningRate()), "VAE Adam learning rate")
        .option(
            "prior-max-images",
            "N",
            String.valueOf(d.maxTrainImages()),
            "train the VAE on at most this many images")
        .option("prior-seed", "S", String.valueOf(d.seed()), "VAE initialisation and sampling seed")
        .option(
            "prior-threads",
            "N",
            String.valueOf(d.threads()),
            "PyTorch threads while training the VAE (0: the engine's default; 1 stays fast when other jobs run)")
        .option(
            "dit",
            "tiny|small|none",
            dit.model(),
            "the diffusion transformer trained on the latents (none: VAE only)")
        .option("dit-epochs", "N", String.valueOf(dit.epochs()), "DiT training epochs")
        .option("dit-batch-size", "N", String.valueOf(dit.batchSize()), "DiT training batch size")
        .option(
            "dit-learning-rate",
            "LR",
            String.valueOf(dit.learningRate()),
            "DiT Adam learning rate (after a 500-step warm-up)")
        .option(
            "dit-ema",
            "DECAY",
            String.valueOf(dit.emaDecay()),
            "the prior keeps this moving average of the DiT's weights (0: the last step's)")
        .option(
            "dit-prediction",
            "v|epsilon",
            dit.prediction().cliName(),
            "what the DiT learns to predict (v: well-conditioned x0 at high noise; epsilon: DiT's original)")
        .option(
            "dit-threads",
            "N",
            String.valueOf(dit.threads()),
            "PyTorch threads while training the DiT (0: the engine's default)");
  }

  /** The prior's training settings: the defaults with what the command line changed. */
  static PriorTraining parse(Options o) {
    String dit = o.oneOf("dit", "tiny", "small", "none");
    DitTrainingConfig ditConfig =
        dit.equals("none")
            ? null
            : DitTrainingConfig.defaults()
                .withModel(dit)
                .withEpochs(o.integer("dit-epochs", 1))
                .withBatchSize(o.integer("dit-batch-size", 1))
                .withThreads(o.integer("dit-threads", 0))
                .withLearningRate(o.number("dit-learning-rate", Double.MIN_VALUE, 1))
                .withEmaDecay(o.number("dit-ema", 0, 0.99999))
                .withPrediction(DitPrediction.parse(o.oneOf("dit-prediction", "v", "epsilon")));
    return new PriorTraining(vae(o), ditConfig);
  }

  private static VaeTrainingConfig vae(Options o) {
    double lr;
    try {
      lr = Double.parseDouble(o.required("prior-learning-rate"));
    } catch (NumberFormatException e) {
      throw new InputException(
          "--prior-learning-rate must be a number, got '" + o.get("prior-learning-rate") + "'");
    }
    VaeTrainingConfig d = VaeTrainingConfig.defaults();
    return new VaeTrainingConfig(
        o.integer("prior-epochs", 1),
        o.integer("prior-batch-size", 1),
        lr,
        o.integer("prior-max-images", 1),
        o.longValue("prior-seed"),
        d.beta(),
        d.width(),
        o.integer("prior-threads", 0));
  }
}
