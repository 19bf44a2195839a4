package org.ddoq.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ddoq.core.data.ImageShape;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  private static final ImageShape GREY = new ImageShape(1, 6, 6);

  private static float[] ramp(ImageShape shape) {
    float[] image = new float[shape.size()];
    for (int i = 0; i < image.length; i++) {
      image[i] = (i % shape.width()) / (float) shape.width();
    }
    return image;
  }

  @Test
  void identityWarpKeepsTheImage() {
    float[] image = ramp(GREY);
    float[] copy = image.clone();
    Augmentation.warp(copy, GREY, 1, 0, 0, 1, 0, 0);
    assertArrayEquals(image, copy, 1e-6f);
  }

  @Test
  void wholePixelShiftMovesColumnsAndFillsWithBlack() {
    float[] image = ramp(GREY);
    Augmentation.warp(image, GREY, 1, 0, 0, 1, 0, 2);
    for (int y = 0; y < 6; y++) {
      assertEquals(0f, image[y * 6], 1e-6f);
      assertEquals(0f, image[y * 6 + 1], 1e-6f);
      assertEquals(0f / 6, image[y * 6 + 2], 1e-6f);
      assertEquals(3f / 6, image[y * 6 + 5], 1e-6f);
    }
  }

  @Test
  void noneLeavesImagesAloneAndEveryTransformStaysInRange() {
    float[] image = ramp(new ImageShape(3, 8, 8));
    float[] copy = image.clone();
    Augmentation.parse("none").apply(copy, new ImageShape(3, 8, 8), new Random(1));
    assertArrayEquals(image, copy);
    Augmentation dsa = Augmentation.parse("dsa");
    Random random = new Random(7);
    boolean changed = false;
    for (int i = 0; i < 50; i++) {
      float[] x = image.clone();
      dsa.apply(x, new ImageShape(3, 8, 8), random);
      for (float v : x) {
        assertTrue(v >= 0 && v <= 1, "pixel " + v);
      }
      changed |= !java.util.Arrays.equals(x, image);
    }
    assertTrue(changed);
  }

  @Test
  void sameSeedSameAugmentation() {
    float[] a = ramp(GREY);
    float[] b = ramp(GREY);
    Augmentation.parse("rotate,scale").apply(a, GREY, new Random(3));
    Augmentation.parse("rotate,scale").apply(b, GREY, new Random(3));
    assertArrayEquals(a, b);
    float[] c = ramp(GREY);
    Augmentation.parse("rotate").apply(c, GREY, new Random(4));
    assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
  }

  /**
   * The teacher's "shift+flip": both in turn, whole-pixel shifts up to 1/8 of the side, pixel
   * values kept exact.
   */
  @Test
  void shiftPlusFlipAppliesBothAndKeepsPixelsExact() {
    ImageShape side16 = new ImageShape(1, 16, 16);
    Augmentation teacher = Augmentation.parse("shift+flip");
    assertEquals("shift+flip", teacher.toString());
    float[] image = ramp(side16);
    java.util.Set<Float> values = new java.util.HashSet<>();
    for (float v : image) {
      values.add(v);
    }
    values.add(0f);
    Random random = new Random(5);
    java.util.Set<Integer> shifts = new java.util.HashSet<>();
    int flipped = 0;
    for (int i = 0; i < 200; i++) {
      float[] x = image.clone();
      teacher.apply(x, side16, random);
      for (float v : x) {
        assertTrue(values.contains(v), "a whole-pixel shift and a flip only move pixels: " + v);
      }
      // Row 8 of the ramp is 0, 1/16, ..., 15/16: where 4/16 landed gives the shift, right of the
      // middle a flip.
      int at = -1;
      for (int c = 0; c < 16; c++) {
        at = x[8 * 16 + c] == 4f / 16 ? c : at;
      }
      boolean mirror = at >= 8;
      flipped += mirror ? 1 : 0;
      shifts.add(mirror ? 11 - at : at - 4);
    }
    assertEquals(
        java.util.Set.of(-2, -1, 0, 1, 2),
        shifts,
        "shifts of up to 16/8 = 2 pixels, every one drawn");
    assertTrue(flipped > 60 && flipped < 140, "flipped about half the time: " + flipped);
  }

  @Test
  void unknownNamesAreRefusedWithTheList() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("crop,blur"));
    assertTrue(
        e.getMessage().contains("blur") && e.getMessage().contains(Augmentation.ALL),
        e.getMessage());
  }
}
