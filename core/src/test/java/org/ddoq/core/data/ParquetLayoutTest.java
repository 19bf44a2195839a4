package org.ddoq.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files ParquetLayout takes for a split (listing only: the files may be empty). */
class ParquetLayoutTest {

  @Test
  void aSplitFolderComesBeforeTheHubLayout(@TempDir Path dir) throws IOException {
    touch(dir, "train/b.parquet", "train/a.parquet", "data/train-00000-of-00001.parquet");
    assertEquals(List.of("train/a.parquet", "train/b.parquet"), find(dir, "train"));
  }

  @Test
  void theHubLayoutSeparatesTheSplitsByFileName(@TempDir Path dir) throws IOException {
    touch(
        dir,
        "data/train-00001-of-00002.parquet",
        "data/train-00000-of-00002.parquet",
        "data/test-00000-of-00001.parquet",
        "README.md");
    assertEquals(
        List.of("data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet"),
        find(dir, "train"));
    assertEquals(List.of("data/test-00000-of-00001.parquet"), find(dir, "test"));
  }

  @Test
  void filesNamedForTheSplitsDirectlyInTheDirectoryAreTakenByName(@TempDir Path dir)
      throws IOException {
    touch(dir, "train-0.parquet", "test-0.parquet", "test-1.parquet");
    assertEquals(List.of("train-0.parquet"), find(dir, "train"));
    assertEquals(List.of("test-0.parquet", "test-1.parquet"), find(dir, "test"));
  }

  @Test
  void anyParquetFileInTheDirectoryIsTrainingDataButNeverSparksBookkeeping(@TempDir Path dir)
      throws IOException {
    touch(dir, "part-1.parquet", "part-0.parquet", "_SUCCESS", ".part-0.parquet.crc", "_x.parquet");
    assertEquals(List.of("part-0.parquet", "part-1.parquet"), find(dir, "train"));
    assertEquals(List.of(), find(dir, "test"));
  }

  @Test
  void testFilesAmongUnnamedOnesAreNotTakenForTraining(@TempDir Path dir) throws IOException {
    touch(dir, "part-0.parquet", "test-0.parquet");
    InputException e = assertThrows(InputException.class, () -> find(dir, "train"));
    assertTrue(e.getMessage().contains("mixes test files (test-0.parquet)"), e.getMessage());
    assertTrue(e.getMessage().contains("name the training files train-*.parquet"), e.getMessage());
  }

  @Test
  void anImageFolderHoldsNoParquet(@TempDir Path dir) throws IOException {
    touch(dir, "train/cat/1.png", "test/cat/1.png");
    FileSystem fs = FileSystem.getLocal(new Configuration());
    assertFalse(ParquetLayout.holdsParquet(fs, new org.apache.hadoop.fs.Path(dir.toString())));
    touch(dir, "test/part-0.parquet");
    assertTrue(ParquetLayout.holdsParquet(fs, new org.apache.hadoop.fs.Path(dir.toString())));
  }

  private static List<String> find(Path dir, String split) throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    String root = new org.apache.hadoop.fs.Path(dir.toString()).toUri().getPath() + "/";
    return ParquetLayout.find(fs, new org.apache.hadoop.fs.Path(dir.toString()), split).stream()
        .map(p -> p.toUri().getPath().substring(root.length()))
        .toList();
  }

  private static void touch(Path dir, String... files) throws IOException {
    for (String f : files) {
      Files.createDirectories(dir.resolve(f).getParent());
      Files.write(dir.resolve(f), new byte[0]);
    }
  }
}
