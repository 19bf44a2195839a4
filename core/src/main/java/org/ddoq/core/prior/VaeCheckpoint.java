package org.ddoq.core.prior;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The VAE's training state after an epoch, {@value #FILE} in the folder the prior is trained into
 * (written aside and renamed: whole or absent), so that a killed training resumes after its last
 * finished epoch instead of starting over. Read back only for the same training: the settings that
 * change what is learnt (not the epoch count, which a resumed run may raise, nor the thread count),
 * the image shape and the number of training images. Removed once the prior is written.
 *
 * @param identity what the checkpoint belongs to ({@link #identity})
 * @param epoch the last finished epoch
 * @param seconds training time so far, over every resume
 * @param losses mean loss of each finished epoch
 * @param parameters the VAE's parameters (DJL format)
 */
record VaeCheckpoint(
    String identity, int epoch, double seconds, List<Double> losses, byte[] parameters) {
  static final String FILE = "vae-checkpoint.bin";
  private static final String MAGIC = "ddoq-vae-checkpoint-1";

  static String identity(VaeTrainingConfig c, int trainImages, Object shape) {
    return String.format(
        Locale.ROOT,
        "batch %d, lr %s, max images %d, seed %d, beta %s, width %d, %d images %s",
        c.batchSize(),
        c.learningRate(),
        c.maxTrainImages(),
        c.seed(),
        c.beta(),
        c.width(),
        trainImages,
        shape);
  }

  /**
   * The checkpoint in {@code dir} for this training, or null (none, another training's, damaged).
   */
  static VaeCheckpoint read(Path dir, String identity) {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
      if (!in.readUTF().equals(MAGIC) || !in.readUTF().equals(identity)) {
        return null;
      }
      int epoch = in.readInt();
      double seconds = in.readDouble();
      List<Double> losses = new ArrayList<>();
      for (int i = in.readInt(); i > 0; i--) {
        losses.add(in.readDouble());
      }
      return new VaeCheckpoint(identity, epoch, seconds, losses, in.readNBytes(in.readInt()));
    } catch (IOException e) {
      return null;
    }
  }

  void write(Path dir) {
    Path file = dir.resolve(FILE);
    Path partial = dir.resolve(FILE + ".partial");
    try {
      Files.createDirectories(dir);
      try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(partial))) {
        out.writeUTF(MAGIC);
        out.writeUTF(identity);
        out.writeInt(epoch);
        out.writeDouble(seconds);
        out.writeInt(losses.size());
        for (double l : losses) {
          out.writeDouble(l);
        }
        out.writeInt(parameters.length);
        out.write(parameters);
      }
      Files.move(
          partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the VAE's checkpoint " + file + ": " + e.getMessage(), e);
    }
  }

  static void remove(Path dir) {
    try {
      Files.deleteIfExists(dir.resolve(FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
