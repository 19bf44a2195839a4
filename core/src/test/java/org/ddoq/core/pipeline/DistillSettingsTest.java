package org.ddoq.core.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The defaults a user meets: the decoder that measured best, and its candidates. */
class DistillSettingsTest {

  @Test
  void theDefaultDecoderIsNearestAndATeacherChoosesAmongTwentyUnlessToldOtherwise() {
    DistillSettings plain = DistillSettings.builder("in", "out").build();
    assertEquals("nearest", plain.decoding().decoder());
    assertEquals(1, plain.candidates(), "without a teacher: the nearest image itself");
    DistillSettings taught = DistillSettings.builder("in", "out").teacher("t.pt").build();
    assertEquals(DistillSettings.TEACHER_CANDIDATES, taught.candidates());
    assertEquals(20, taught.candidates());
    DistillSettings five =
        DistillSettings.builder("in", "out").teacher("t.pt").candidates(5).build();
    assertEquals(5, five.candidates(), "a count given is kept");
  }
}
