package org.ddoq.core.prior;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * How the prior's DiT was trained, written as {@value #FILE_NAME} next to prior.json after every
 * epoch, and the head of the resumable checkpoint {@value #CHECKPOINT_FILE} (these facts, then the
 * weights).
 *
 * @param model named configuration (tiny, small)
 * @param architecture width, depth, heads, patch ({@link Dit.Config#architecture()})
 * @param latents training latents
 * @param numClasses class labels (the null label is numClasses)
 * @param batchSize latents per step
 * @param learningRate Adam's fixed learning rate
 * @param seed the training seed
 * @param epochs epochs done
 * @param steps optimiser steps done
 * @param seconds training wall-clock time so far (all runs of a resumed training)
 * @param firstStepLoss loss of the very first step (about 1: the zero-initialised model predicts 0)
 * @param lossPerEpoch mean epsilon MSE of each epoch
 * @param emaDecay decay of the weights' moving average that dit.params holds (0: the last step's
 *     weights)
 * @param resumedAfter the epochs after which an interrupted training was resumed (empty: one run)
 */
public record DitTrainingFacts(
    String model,
    java.util.Map<String, Integer> architecture,
    int latents,
    int numClasses,
    int batchSize,
    double learningRate,
    long seed,
    int epochs,
    long steps,
    double seconds,
    double firstStepLoss,
    List<Double> lossPerEpoch,
    double emaDecay,
    List<Integer> resumedAfter) {
  /** The loss curve and settings, human-readable, in the prior directory. */
  public static final String FILE_NAME = "dit-training.json";

  /**
   * The resumable checkpoint: facts as JSON, the DiT's parameters (DJL format), then the length and
   * bytes of the moving average's parameters.
   */
  public static final String CHECKPOINT_FILE = "dit-checkpoint.bin";

  private static final String MAGIC = "ddoq-dit-checkpoint-2";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public DitTrainingFacts {
    architecture = java.util.Map.copyOf(architecture);
    lossPerEpoch = List.copyOf(lossPerEpoch);
    resumedAfter = resumedAfter == null ? List.of() : List.copyOf(resumedAfter);
  }

  /**
   * Whether a checkpoint with these facts can continue a training with {@code other}'s settings.
   */
  boolean sameSettings(DitTrainingFacts other) {
    return architecture.equals(other.architecture)
        && latents == other.latents
        && numClasses == other.numClasses
        && batchSize == other.batchSize
        && learningRate == other.learningRate
        && seed == other.seed
        && emaDecay == other.emaDecay;
  }

  DitTrainingFacts after(
      int epochsDone, long stepsDone, double totalSeconds, double first, List<Double> losses) {
    return new DitTrainingFacts(
        model,
        architecture,
        latents,
        numClasses,
        batchSize,
        learningRate,
        seed,
        epochsDone,
        stepsDone,
        totalSeconds,
        first,
        losses,
        emaDecay,
        resumedAfter);
  }

  /** These facts, noting that training resumes after {@link #epochs()}. */
  DitTrainingFacts resumed() {
    List<Integer> after = new java.util.ArrayList<>(resumedAfter);
    after.add(epochs);
    return new DitTrainingFacts(
        model,
        architecture,
        latents,
        numClasses,
        batchSize,
        learningRate,
        seed,
        epochs,
        steps,
        seconds,
        firstStepLoss,
        lossPerEpoch,
        emaDecay,
        after);
  }

  /** Reads {@code priorDir/}{@value #FILE_NAME}. */
  public static DitTrainingFacts read(Path priorDir) {
    try {
      return JSON.readValue(Files.readString(priorDir.resolve(FILE_NAME)), DitTrainingFacts.class);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + priorDir.resolve(FILE_NAME), e);
    }
  }

  /**
   * Writes the facts file, then the checkpoint; each lands atomically, so a kill leaves the
   * previous one.
   */
  void writeCheckpoint(Path priorDir, Dit dit, byte[] average) throws IOException {
    Files.createDirectories(priorDir);
    Path tmp = priorDir.resolve(CHECKPOINT_FILE + ".tmp");
    try (OutputStream raw = Files.newOutputStream(tmp);
        DataOutputStream out = new DataOutputStream(raw)) {
      out.writeUTF(MAGIC);
      out.writeUTF(JSON.writeValueAsString(this));
      dit.saveParameters(out);
      out.writeInt(average.length);
      out.write(average);
    }
    Files.move(
        tmp,
        priorDir.resolve(CHECKPOINT_FILE),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    Path factsTmp = priorDir.resolve(FILE_NAME + ".tmp");
    Files.writeString(factsTmp, JSON.writeValueAsString(this) + "\n");
    Files.move(
        factsTmp,
        priorDir.resolve(FILE_NAME),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * The checkpoint's facts, loading its weights into {@code dit} (already initialised) and handing
   * its moving average to {@code average} only when {@code accept} says they fit; null when there
   * is no checkpoint (or one written by an earlier version, which kept no average).
   */
  static DitTrainingFacts readCheckpoint(
      Path priorDir,
      Dit dit,
      ai.djl.ndarray.NDManager manager,
      java.util.function.Predicate<DitTrainingFacts> accept,
      java.util.function.Consumer<byte[]> average)
      throws IOException {
    Path file = priorDir.resolve(CHECKPOINT_FILE);
    if (!Files.exists(file)) {
      return null;
    }
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(raw)) {
      String magic = in.readUTF();
      if (!MAGIC.equals(magic)) {
        if (magic.startsWith("ddoq-dit-checkpoint-")) {
          return null;
        }
        throw new IOException(file + " is not a DiT checkpoint");
      }
      DitTrainingFacts facts = JSON.readValue(in.readUTF(), DitTrainingFacts.class);
      if (accept.test(facts)) {
        dit.loadParameters(manager, in);
        average.accept(in.readNBytes(in.readInt()));
      }
      return facts;
    } catch (ai.djl.MalformedModelException e) {
      throw new IOException(file + " holds weights of another architecture: " + e.getMessage(), e);
    }
  }
}
