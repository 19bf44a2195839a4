package org.ddoq.core.pipeline;

import java.io.Serializable;
import org.ddoq.core.stage.ClassQuantizer;
import org.ddoq.core.stage.LatentEncoder;

/**
 * Everything one distill needs. {@link #builder(String, String)} starts from the defaults, which
 * are the stages' own ({@link ClassQuantizer}, {@link LatentEncoder}, {@link Decoding#defaults()}):
 * each default has one home, and the CLI's help prints these.
 *
 * @param input labelled images: a directory of IDX files or an ImageFolder tree (any Hadoop path)
 * @param out where the distilled set goes; must not exist unless {@code overwrite}
 * @param ipc images per class, the k of k-means
 * @param format auto, idx, folder or parquet
 * @param prior prior directory; null: one is trained on the input once and cached under {@code
 *     cacheDir}
 * @param seed run seed: per-class k-means seeds and the decoder's noise derive from it
 * @param weights mass, sqrt or uniform (= D4M)
 * @param keepLatents also write OUT/latents (Parquet)
 * @param overwrite replace an existing OUT
 * @param resume continue the unfinished run in OUT from its last finished stage (refused when its
 *     settings differ, unless {@code overwrite} too: then what cannot be continued is replaced);
 *     start one when OUT does not exist
 * @param imageSize CxHxW to resize folder images to; null: the prior's shape, else the first
 *     image's
 * @param batchSize images per model call on the executors
 * @param restarts k-means fits per class, the lowest distortion kept
 * @param maxIter k-means iterations per fit
 * @param parallelism classes over the stage's maxTaskBytes (fitted with MLlib) quantized
 *     concurrently
 * @param cacheDir root of the prior cache
 * @param training how a prior is trained when none is given (its DiT only for the dit decoder)
 * @param decoding how centroids become images
 * @param candidates nearest decoder: each centroid chooses among its this many nearest free
 *     training images the one {@code teacher} is surest of (1: the nearest; 0: {@value
 *     #TEACHER_CANDIDATES} with a teacher, else 1)
 * @param teacher nearest decoder with candidates &gt; 1: a TorchScript classifier file (as
 *     evaluate's {@code --teacher}) or a built-in teacher's cache folder; null otherwise
 */
public record DistillSettings(
    String input,
    String out,
    int ipc,
    String format,
    String prior,
    long seed,
    String weights,
    boolean keepLatents,
    boolean overwrite,
    boolean resume,
    String imageSize,
    int batchSize,
    int restarts,
    int maxIter,
    int parallelism,
    String cacheDir,
    PriorTraining training,
    Decoding decoding,
    int candidates,
    String teacher)
    implements Serializable {

  /**
   * Candidates per centroid when a teacher is given and no count is: 20 beat random real images by
   * 3.0 points on CIFAR-10 (docs/results.md), and the plain nearest image lost by 3.2.
   */
  public static final int TEACHER_CANDIDATES = 20;

  /** Resolves {@code candidates} 0 (auto). */
  public DistillSettings {
    if (candidates == 0) {
      candidates = teacher != null ? TEACHER_CANDIDATES : 1;
    }
  }

  /** The defaults, for reading (the CLI's help); {@code input} and {@code out} are null here. */
  public static DistillSettings defaults() {
    return new Builder(null, null).build();
  }

  /** A builder holding the defaults, for the two settings that have none. */
  public static Builder builder(String input, String out) {
    return new Builder(input, out);
  }

  /** Set what differs from the defaults, then {@link #build()}. */
  public static final class Builder {
    private final String input;
    private final String out;
    private int ipc;
    private String format = "auto";
    private String prior;
    private long seed;
    private String weights;
    private boolean keepLatents;
    private boolean overwrite;
    private boolean resume;
    private String imageSize;
    private int batchSize;
    private int restarts;
    private int maxIter;
    private int parallelism;
    private String cacheDir = PriorCache.defaultRoot().toString();
    private PriorTraining training = PriorTraining.defaults();
    // The decoder that measured best (docs/results.md): real training images chosen by the
    // centroids; auto, dit and vae decode the centroids through the prior.
    private Decoding decoding = Decoding.defaults().withDecoder("nearest");
    private int candidates;
    private String teacher;

    private Builder(String input, String out) {
      this.input = input;
      this.out = out;
      ClassQuantizer q = new ClassQuantizer();
      ipc = q.getK();
      seed = q.getSeed();
      weights = q.getWeighting();
      restarts = q.getRestarts();
      maxIter = q.getMaxIter();
      parallelism = q.getParallelism();
      batchSize = new LatentEncoder().getBatchSize();
    }

    public Builder ipc(int value) {
      ipc = value;
      return this;
    }

    public Builder format(String value) {
      format = value;
      return this;
    }

    public Builder prior(String value) {
      prior = value;
      return this;
    }

    public Builder seed(long value) {
      seed = value;
      return this;
    }

    public Builder weights(String value) {
      weights = value;
      return this;
    }

    public Builder keepLatents(boolean value) {
      keepLatents = value;
      return this;
    }

    public Builder overwrite(boolean value) {
      overwrite = value;
      return this;
    }

    public Builder resume(boolean value) {
      resume = value;
      return this;
    }

    public Builder imageSize(String value) {
      imageSize = value;
      return this;
    }

    public Builder batchSize(int value) {
      batchSize = value;
      return this;
    }

    public Builder restarts(int value) {
      restarts = value;
      return this;
    }

    public Builder maxIter(int value) {
      maxIter = value;
      return this;
    }

    public Builder parallelism(int value) {
      parallelism = value;
      return this;
    }

    public Builder cacheDir(String value) {
      cacheDir = value;
      return this;
    }

    public Builder training(PriorTraining value) {
      training = value;
      return this;
    }

    public Builder decoding(Decoding value) {
      decoding = value;
      return this;
    }

    public Builder candidates(int value) {
      candidates = value;
      return this;
    }

    public Builder teacher(String value) {
      teacher = value;
      return this;
    }

    public DistillSettings build() {
      return new DistillSettings(
          input,
          out,
          ipc,
          format,
          prior,
          seed,
          weights,
          keepLatents,
          overwrite,
          resume,
          imageSize,
          batchSize,
          restarts,
          maxIter,
          parallelism,
          cacheDir,
          training,
          decoding,
          candidates,
          teacher);
    }
  }
}
