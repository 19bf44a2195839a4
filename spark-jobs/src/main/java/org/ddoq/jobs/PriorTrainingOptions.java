package org.ddoq.jobs;

import static org.ddoq.jobs.Cli.atLeast;
import static org.ddoq.jobs.Cli.between;

import org.ddoq.core.pipeline.PriorTraining;
import org.ddoq.core.prior.DitPrediction;
import org.ddoq.core.prior.DitTrainingConfig;
import org.ddoq.core.prior.VaeTrainingConfig;
import picocli.CommandLine.Option;

/**
 * The prior-training options, a picocli mixin of train-prior and distill (which trains a prior when
 * none is given). Each starts from the training configurations' defaults.
 */
final class PriorTrainingOptions {
  private final VaeTrainingConfig vae = VaeTrainingConfig.defaults();
  private final DitTrainingConfig dit = DitTrainingConfig.defaults();

  @Option(
      names = "--prior-epochs",
      paramLabel = "N",
      description = "VAE training epochs (default ${DEFAULT-VALUE})")
  int epochs = vae.epochs();

  @Option(
      names = "--prior-batch-size",
      paramLabel = "N",
      description = "VAE training batch size (default ${DEFAULT-VALUE})")
  int batchSize = vae.batchSize();

  @Option(
      names = "--prior-learning-rate",
      paramLabel = "LR",
      description = "VAE Adam learning rate (default ${DEFAULT-VALUE})")
  double learningRate = vae.learningRate();

  @Option(
      names = "--prior-max-images",
      paramLabel = "N",
      description = "train the VAE on at most this many images (default ${DEFAULT-VALUE})")
  int maxImages = vae.maxTrainImages();

  @Option(
      names = "--prior-seed",
      paramLabel = "S",
      description = "VAE initialisation and sampling seed (default ${DEFAULT-VALUE})")
  long seed = vae.seed();

  @Option(
      names = "--prior-threads",
      paramLabel = "N",
      description =
          "PyTorch threads while training the VAE (0: the engine's default; 1 stays fast when"
              + " other jobs run; default ${DEFAULT-VALUE})")
  int threads = vae.threads();

  @Option(
      names = "--dit",
      paramLabel = "tiny|small|none",
      description =
          "the diffusion transformer trained on the latents (none: VAE only; default"
              + " ${DEFAULT-VALUE})")
  Cli.DitModel ditModel = Cli.choice(Cli.DitModel.class, dit.model());

  @Option(
      names = "--dit-epochs",
      paramLabel = "N",
      description = "DiT training epochs (default ${DEFAULT-VALUE})")
  int ditEpochs = dit.epochs();

  @Option(
      names = "--dit-batch-size",
      paramLabel = "N",
      description = "DiT training batch size (default ${DEFAULT-VALUE})")
  int ditBatchSize = dit.batchSize();

  @Option(
      names = "--dit-learning-rate",
      paramLabel = "LR",
      description = "DiT Adam learning rate, after a 500-step warm-up (default ${DEFAULT-VALUE})")
  double ditLearningRate = dit.learningRate();

  @Option(
      names = "--dit-ema",
      paramLabel = "DECAY",
      description =
          "the prior keeps this moving average of the DiT's weights (0: the last step's; default"
              + " ${DEFAULT-VALUE})")
  double ditEma = dit.emaDecay();

  @Option(
      names = "--dit-prediction",
      paramLabel = "v|epsilon",
      description =
          "what the DiT learns to predict (v: well-conditioned x0 at high noise; epsilon: DiT's"
              + " original; default ${DEFAULT-VALUE})")
  Cli.Prediction ditPrediction = Cli.choice(Cli.Prediction.class, dit.prediction().cliName());

  @Option(
      names = "--dit-threads",
      paramLabel = "N",
      description =
          "PyTorch threads while training the DiT (0: the engine's default; default"
              + " ${DEFAULT-VALUE})")
  int ditThreads = dit.threads();

  /** The prior's training settings: the defaults with what the command line changed. */
  PriorTraining training() {
    VaeTrainingConfig vaeConfig =
        new VaeTrainingConfig(
            atLeast("--prior-epochs", epochs, 1),
            atLeast("--prior-batch-size", batchSize, 1),
            learningRate,
            atLeast("--prior-max-images", maxImages, 1),
            seed,
            vae.beta(),
            vae.width(),
            atLeast("--prior-threads", threads, 0));
    DitTrainingConfig ditConfig =
        ditModel == Cli.DitModel.NONE
            ? null
            : dit.withModel(ditModel.toString())
                .withEpochs(atLeast("--dit-epochs", ditEpochs, 1))
                .withBatchSize(atLeast("--dit-batch-size", ditBatchSize, 1))
                .withThreads(atLeast("--dit-threads", ditThreads, 0))
                .withLearningRate(
                    between("--dit-learning-rate", ditLearningRate, Double.MIN_VALUE, 1))
                .withEmaDecay(between("--dit-ema", ditEma, 0, 0.99999))
                .withPrediction(DitPrediction.parse(ditPrediction.toString()));
    return new PriorTraining(vaeConfig, ditConfig);
  }
}
