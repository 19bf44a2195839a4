package org.ddoq.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.ddoq.core.TestSpark;
import org.junit.jupiter.api.Test;

class SpreadSampleTest {

  /** 3 classes x 100 images with ids in class order, as an ImageFolder numbers them. */
  private static Dataset<Row> classOrdered() {
    List<Row> rows = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < 100; i++) {
        rows.add(
            RowFactory.create(
                (long) (c * 100 + i),
                c,
                "class" + c,
                "c" + c + "/" + i + ".jpg",
                new byte[] {(byte) i}));
      }
    }
    return TestSpark.start("ddoq-data-tests").createDataFrame(rows, ImageRows.SCHEMA);
  }

  private static Map<Integer, Integer> perClass(Dataset<Row> rows) {
    Map<Integer, Integer> counts = new TreeMap<>();
    for (Row r : rows.select(ImageRows.LABEL).collectAsList()) {
      counts.merge(r.getInt(0), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void aSampleOfAClassOrderedFolderHoldsEveryClass() {
    Map<Integer, Integer> counts = perClass(SpreadSample.take(classOrdered(), 60, 0));
    assertEquals(60, counts.values().stream().mapToInt(Integer::intValue).sum());
    assertEquals(3, counts.size(), "limit(60) would have given class 0 only: " + counts);
    counts
        .values()
        .forEach(n -> assertTrue(n >= 10 && n <= 30, "far from 20 per class: " + counts));
  }

  @Test
  void theSameSeedGivesTheSameImages() {
    List<Row> a = SpreadSample.take(classOrdered(), 40, 7).select(ImageRows.ID).collectAsList();
    List<Row> b = SpreadSample.take(classOrdered(), 40, 7).select(ImageRows.ID).collectAsList();
    List<Row> other = SpreadSample.take(classOrdered(), 40, 8).select(ImageRows.ID).collectAsList();
    assertEquals(a, b);
    assertTrue(!a.equals(other), "another seed should draw other images");
  }

  @Test
  void aSampleLargerThanTheDataIsAllOfIt() {
    assertEquals(300, SpreadSample.take(classOrdered(), 1000, 0).count());
  }
}
