package org.ddoq.core.prior;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An exponential moving average of the DiT's weights, ema = decay * ema + (1 - decay) * weights
 * after every optimiser step, as DiT trains and samples (decay 0.9999 over 400k steps there): the
 * prior keeps the average, not the last step's weights, which smooths out the last steps' noise.
 * Measured here on the tiny DiT after 10 epochs: contact sheets with and without the average look
 * alike (docs/results.md), so it is DiT's convention kept, not a fix. The average lives in a second
 * {@link Dit} of the same configuration, so it is saved and loaded with DJL's own parameter format.
 */
final class DitEma {
  private final double decay;
  private final Dit average;
  private final List<Parameter> live = new ArrayList<>();
  private final List<Parameter> mean = new ArrayList<>();

  /** Starts the average at {@code dit}'s current weights. */
  DitEma(Dit dit, Dit twin, NDManager manager, double decay) throws IOException {
    if (!(decay >= 0 && decay < 1)) {
      throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + decay);
    }
    this.decay = decay;
    this.average = twin;
    copyInto(bytes(dit), twin, manager);
    for (Pair<String, Parameter> p : dit.getParameters()) {
      live.add(p.getValue());
    }
    for (Pair<String, Parameter> p : twin.getParameters()) {
      mean.add(p.getValue());
    }
  }

  /**
   * Folds the weights after optimiser step {@code step} (1, 2, ... over the whole training, resumes
   * included) into the average, with the decay warmed up as min(decay, (1 + step) / (10 + step)):
   * without the warm-up the random initial weights keep decay^steps of the average (15 % after the
   * 1,900 steps of 4 small-DiT epochs), and that model decoded pure noise (measured,
   * docs/results.md).
   */
  void update(long step) {
    double d = Math.min(decay, (1.0 + step) / (10.0 + step));
    float keep = (float) d;
    float take = (float) (1 - d);
    for (int i = 0; i < live.size(); i++) {
      NDArray ema = mean.get(i).getArray();
      // stopGradient: the step's weights must enter the average as values, outside autograd's
      // graph.
      try (NDArray scaled = live.get(i).getArray().stopGradient().mul(take)) {
        ema.muli(keep).addi(scaled);
      }
    }
  }

  /** The averaged weights, in DJL's parameter format (what {@code dit.params} holds). */
  byte[] averageBytes() throws IOException {
    return bytes(average);
  }

  /** Replaces the average by saved weights (a resumed run continues the average it had). */
  void restore(byte[] saved, NDManager manager) throws IOException {
    copyInto(saved, average, manager);
  }

  static byte[] bytes(Dit dit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    dit.saveParameters(new DataOutputStream(out));
    return out.toByteArray();
  }

  private static void copyInto(byte[] weights, Dit target, NDManager manager) throws IOException {
    try {
      target.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(weights)));
    } catch (MalformedModelException e) {
      throw new IOException("EMA weights do not fit the DiT: " + e.getMessage(), e);
    }
  }
}
