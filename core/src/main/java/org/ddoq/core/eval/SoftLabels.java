package org.ddoq.core.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A teacher-labelled student's targets: the teacher's logits for the views it trains on. The view
 * of image i in epoch e is drawn from (e, i) alone ({@link Batches#views}), not from the student's
 * seed, so all students of one set (the uniform, mass and sqrt rows and every seed: same images,
 * other weights) see the same views, and the teacher's logits for them are computed once per set
 * ({@link Table}), as FKD and SRe2L precompute soft labels per crop. The teacher's forward pass was
 * 27 % (ConvNet-3) to 43 % (ResNet-56) of a teacher-labelled student's time at CIFAR-10's shape
 * (docs/benchmarks.md). {@link #online} computes them on each batch instead, for a set only one
 * student trains on.
 */
public interface SoftLabels {
  /** Tables above this size are not shared: each student computes its logits online. */
  long MAX_TABLE_BYTES = 256L << 20;

  /**
   * The teacher's logits (B, classes) for the batch {@code order[from..to)} of epoch {@code epoch},
   * whose views (B, C, H, W) are {@code views}.
   */
  NDArray logits(NDManager manager, NDArray views, int epoch, int[] order, int from, int to);

  /** The teacher's forward pass on every batch. */
  static SoftLabels online(Block teacher) {
    return (manager, views, epoch, order, from, to) ->
        teacher
            .forward(new ParameterStore(manager, false), new NDList(views), false)
            .singletonOrThrow();
  }

  /**
   * The teacher's logits for every (epoch, image) view of a set, epochs 1..{@code epochs}, row
   * ((epoch - 1) x images + image) x classes of {@code values}.
   */
  record Table(int epochs, int images, int classes, float[] values)
      implements SoftLabels, Serializable {
    static final int BATCH = 250;

    /**
     * Runs the teacher over every view the students of {@code set} will see under {@code settings}.
     */
    static Table compute(LabelledImages set, StudentSettings settings, Block teacher) {
      int n = set.size();
      int k = set.numClasses();
      float[] values = new float[Math.toIntExact((long) settings.epochs() * n * k)];
      int[] identity = Batches.identity(n);
      try (NDManager manager = NDManager.newBaseManager()) {
        ParameterStore store = new ParameterStore(manager, false);
        for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
          for (int from = 0; from < n; from += BATCH) {
            int to = Math.min(n, from + BATCH);
            try (NDManager m = manager.newSubManager()) {
              NDArray x =
                  Batches.views(
                      m,
                      set.images(),
                      identity,
                      from,
                      to,
                      set.shape(),
                      settings.augmentation(),
                      epoch);
              float[] logits =
                  teacher.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
              System.arraycopy(logits, 0, values, ((epoch - 1) * n + from) * k, logits.length);
            }
          }
        }
      }
      return new Table(settings.epochs(), n, k, values);
    }

    @Override
    public NDArray logits(
        NDManager manager, NDArray views, int epoch, int[] order, int from, int to) {
      float[] batch = new float[(to - from) * classes];
      for (int i = from; i < to; i++) {
        System.arraycopy(
            values,
            ((epoch - 1) * images + order[i]) * classes,
            batch,
            (i - from) * classes,
            classes);
      }
      return manager.create(batch, new Shape(to - from, classes));
    }

    static long bytes(LabelledImages set, StudentSettings settings) {
      return 4L * settings.epochs() * set.size() * set.numClasses();
    }
  }

  /**
   * Which runs share a table: runs whose sets hold the same images (in the same order) see the same
   * views; a group of two or more gets one table, when it is not above {@link #MAX_TABLE_BYTES}.
   * Returns the groups, each as its runs; a run in no group computes its logits online.
   */
  static List<List<EvaluationRuns.Run>> sharing(
      List<EvaluationRuns.Run> runs, StudentSettings settings) {
    Map<String, List<EvaluationRuns.Run>> byImages = new LinkedHashMap<>();
    for (EvaluationRuns.Run run : runs) {
      byImages.computeIfAbsent(imagesKey(run.set()), key -> new ArrayList<>()).add(run);
    }
    return byImages.values().stream()
        .filter(
            group ->
                group.size() > 1 && Table.bytes(group.get(0).set(), settings) <= MAX_TABLE_BYTES)
        .toList();
  }

  /**
   * A hash of a set's images and their order: what its views depend on (not its labels or weights).
   */
  private static String imagesKey(LabelledImages set) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((set.shape() + "|" + set.numClasses() + "|").getBytes(StandardCharsets.UTF_8));
      for (byte[] image : set.images()) {
        sha.update(ByteBuffer.allocate(4).putInt(image.length).array());
        sha.update(image);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
