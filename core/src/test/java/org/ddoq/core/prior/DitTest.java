package org.ddoq.core.prior;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.junit.jupiter.api.Test;

/** The built-in DiT as a network: shapes, adaLN-Zero initialisation, label dropout, conventions. */
class DitTest {
  static final LatentShape LATENT = new LatentShape(4, 7, 7);
  static final int CLASSES = 10;
  static final Dit.Config PATCH1 = new Dit.Config("test-p1", 32, 2, 4, 1, DitPrediction.EPSILON);

  @Test
  void namedConfigurationsAndTheirArchitectureKeys() {
    assertEquals(Dit.TINY, Dit.config("tiny"));
    assertEquals(Dit.SMALL, Dit.config("small"));
    assertThrows(IllegalArgumentException.class, () -> Dit.config("xl"));
    assertEquals(
        5, Dit.TINY.architecture().size(), "width, depth, heads, patch and the prediction");
    // 7x7 with patch 2 pads to 8x8: 16 tokens; patch 1 makes one token per latent position.
    assertEquals(16, new Dit(LATENT, CLASSES, Dit.TINY, 0).tokens());
    assertEquals(49, new Dit(LATENT, CLASSES, PATCH1, 0).tokens());
  }

  @Test
  void predictsEpsilonOfTheLatentShapeForPatch1AndPatch2() {
    for (Dit.Config config : new Dit.Config[] {Dit.TINY, PATCH1}) {
      try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
        Dit dit = perturbed(new Dit(LATENT, CLASSES, config, 0), m);
        NDArray out = forward(dit, m, 3, false, null);
        assertEquals(new Shape(3, 4, 7, 7), out.getShape(), config.name());
        assertTrue(out.abs().sum().getFloat() > 0, config.name());
      }
    }
  }

  @Test
  void adaLnZeroInitialisationPredictsExactlyZero() {
    Engine.getInstance().setRandomSeed(3);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Dit dit = new Dit(LATENT, CLASSES, Dit.TINY, Dit.LABEL_DROPOUT);
      dit.initialize(m);
      float[] out = forward(dit, m, 5, false, null).toFloatArray();
      assertArrayEquals(new float[out.length], out);
    }
  }

  @Test
  void labelDropoutReplacesLabelsByTheNullLabel() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray y = m.create(new int[] {0, 3, 9, 5});
      NDArray drop = m.create(new int[] {1, 0, 1, 0});
      assertArrayEquals(
          new long[] {10, 3, 10, 5},
          DitLayers.LabelEmbedder.tokenDrop(y, drop, CLASSES).toLongArray());
      // Through the whole model: training with every label dropped = inference on the null label.
      Dit dit = perturbed(new Dit(LATENT, CLASSES, Dit.TINY, Dit.LABEL_DROPOUT), m);
      NDArray x = m.randomNormal(new Shape(4, 4, 7, 7));
      NDArray t = m.create(new int[] {0, 10, 500, 999});
      NDArray dropped =
          dit.forward(
                  new ParameterStore(m, false),
                  new NDList(x, t, y, m.create(new int[] {1, 1, 1, 1})),
                  true)
              .head();
      NDArray nullLabel =
          dit.forward(
                  new ParameterStore(m, false),
                  new NDList(x, t, m.create(new int[] {10, 10, 10, 10})),
                  false)
              .head();
      assertArrayEquals(nullLabel.toFloatArray(), dropped.toFloatArray());
      NDArray kept = dit.forward(new ParameterStore(m, false), new NDList(x, t, y), false).head();
      assertTrue(
          kept.sub(nullLabel).abs().max().getFloat() > 1e-4f, "labels must change the prediction");
    }
  }

  @Test
  void inferenceIsDeterministicAndNeverDropsLabels() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Dit dit = perturbed(new Dit(LATENT, CLASSES, Dit.TINY, 1f), m);
      assertArrayEquals(
          forward(dit, m, 6, false, 11L).toFloatArray(),
          forward(dit, m, 6, false, 11L).toFloatArray());
    }
  }

  @Test
  void positionEmbeddingFollowsDitsColumnThenRowLayout() {
    float[] pos = DitPositions.sinCos2d(8, 2, 3);
    // Token (row 1, column 2) = index 5: sin/cos of column 2 at omega 1 and 1/100, then of row 1.
    int base = 5 * 8;
    assertEquals((float) Math.sin(2), pos[base], 1e-7);
    assertEquals((float) Math.sin(2 / 100.0), pos[base + 1], 1e-7);
    assertEquals((float) Math.cos(2), pos[base + 2], 1e-7);
    assertEquals((float) Math.sin(1), pos[base + 4], 1e-7);
    assertEquals((float) Math.cos(1 / 100.0), pos[base + 7], 1e-7);
  }

  @Test
  void linearScheduleMatchesDitsAlphaBar() {
    DitNoising.Schedule s = DitNoising.Schedule.of(DiffusionSpec.dit(CLASSES, false));
    assertEquals(Math.sqrt(1 - 1e-4), s.sqrtAlphaBar()[0], 1e-12);
    // DiT's alphas_cumprod[-1] for the linear 1e-4..0.02 schedule is 4.0358e-5.
    assertEquals(4.0358e-5, s.sqrtAlphaBar()[999] * s.sqrtAlphaBar()[999], 1e-8);
    assertEquals(
        1.0,
        s.sqrtAlphaBar()[500] * s.sqrtAlphaBar()[500]
            + s.sqrtOneMinusAlphaBar()[500] * s.sqrtOneMinusAlphaBar()[500],
        1e-12);
  }

  /** An initialised DiT whose parameters are all moved off their (partly zero) initial values. */
  static Dit perturbed(Dit dit, NDManager m) {
    Engine.getInstance().setRandomSeed(5);
    dit.initialize(m);
    for (Pair<String, Parameter> p : dit.getParameters()) {
      NDArray a = p.getValue().getArray();
      a.addi(m.randomNormal(0, 0.05f, a.getShape(), a.getDataType()));
    }
    return dit;
  }

  /** Seeded random x_t, timesteps and labels through the model. */
  static NDArray forward(Dit dit, NDManager m, int n, boolean training, Long seed) {
    java.util.Random r = new java.util.Random(seed == null ? 1 : seed);
    float[] x = new float[n * LATENT.size()];
    int[] t = new int[n];
    int[] y = new int[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      t[i] = r.nextInt(1000);
      y[i] = r.nextInt(CLASSES + 1);
    }
    NDList in = new NDList(m.create(x, new Shape(n, 4, 7, 7)), m.create(t), m.create(y));
    return dit.forward(new ParameterStore(m, false), in, training).head();
  }
}
