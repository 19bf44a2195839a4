package org.ddoq.core.diffusion;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class SamplerSettingsTest {

  @Test
  void acceptsTheBoundaryValues() {
    assertDoesNotThrow(() -> new SamplerSettings(0, 1, 0, 0));
    assertDoesNotThrow(() -> new SamplerSettings(1, 1000, 7.5, 1));
  }

  @Test
  void badSettingsNameTheSetting() {
    rejects("strength", () -> new SamplerSettings(-0.1, 25, 1, 0));
    rejects("strength", () -> new SamplerSettings(1.5, 25, 1, 0));
    rejects("strength", () -> new SamplerSettings(Double.NaN, 25, 1, 0));
    rejects("steps", () -> new SamplerSettings(0.7, 0, 1, 0));
    rejects("guidance", () -> new SamplerSettings(0.7, 25, -1, 0));
    rejects("guidance", () -> new SamplerSettings(0.7, 25, Double.POSITIVE_INFINITY, 0));
    rejects("eta", () -> new SamplerSettings(0.7, 25, 1, 1.01));
    rejects("eta", () -> new SamplerSettings(0.7, 25, 1, Double.NaN));
  }

  private static void rejects(String setting, Executable make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make);
    assertTrue(e.getMessage().startsWith(setting + " "), e.getMessage());
  }
}
