package org.ddoq.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The console line about skipped inputs: the first few named with their reasons. */
class ImageDatasetTest {

  @Test
  void theSkippedLineNamesTheFirstFewAndWhereTheRestAre() {
    List<ImageDataset.Skipped> skipped = new ArrayList<>();
    assertEquals("", withSkipped(skipped).skippedLine(2, "OUT/summary.json"));
    skipped.add(new ImageDataset.Skipped("in/a/x.png", "empty file (0 bytes)"));
    assertEquals(
        "1 input skipped: in/a/x.png (empty file (0 bytes)); all with their reasons in"
            + " OUT/summary.json",
        withSkipped(skipped).skippedLine(2, "OUT/summary.json"));
    skipped.add(new ImageDataset.Skipped("in/a/y.png", "corrupt"));
    skipped.add(new ImageDataset.Skipped("in/b/z.txt", "ignored"));
    assertEquals(
        "3 inputs skipped: in/a/x.png (empty file (0 bytes)); in/a/y.png (corrupt); and 1 more;"
            + " all with their reasons in OUT/summary.json",
        withSkipped(skipped).skippedLine(2, "OUT/summary.json"));
  }

  private static ImageDataset withSkipped(List<ImageDataset.Skipped> skipped) {
    return new ImageDataset(null, new ImageShape(1, 2, 2), List.of("a"), skipped, "folder");
  }
}
