package org.ddoq.core.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Class folder names: kept as they are where a file system can hold them, never shared. */
class ClassFoldersTest {

  @Test
  void namesInAnyScriptAreKeptAsTheyAreAndEachClassGetsItsOwnFolder(@TempDir Path out)
      throws IOException {
    List<String> names =
        List.of("猫", "犬", "鳥", "naïve café", "a b+c (1)", "100% a?b#c", "*<>|\\\"");
    ClassFolders folders = ClassFolders.of(names);
    for (int label = 0; label < names.size(); label++) {
      assertEquals(names.get(label), folders.folder(label));
    }
    assertEquals(names, writtenFolders(out, folders, names.size()));
  }

  @Test
  void onlyWhatAFileSystemCannotHoldIsReplaced() {
    assertEquals("T-shirt_top", ClassFolders.escape("T-shirt/top"));
    assertEquals("a_b_c", ClassFolders.escape("a:b\0c"));
    assertEquals("_", ClassFolders.escape(""));
    assertEquals("_.", ClassFolders.escape("."));
    assertEquals("_..", ClassFolders.escape(".."));
    assertEquals(" spaced ", ClassFolders.escape(" spaced "));
    assertEquals("..digit_2", ClassFolders.escape("..digit_2"));
  }

  @Test
  void namesThatWouldShareAFolderAreToldApartByTheirLabel(@TempDir Path out) throws IOException {
    // "a/b" escapes to "a_b", which is another class's real name; "x" is given twice.
    List<String> names = List.of("a/b", "a_b", "x", "x", "", "_");
    ClassFolders folders = ClassFolders.of(names);
    assertEquals("a_b~0", folders.folder(0));
    assertEquals("a_b", folders.folder(1), "a name that needs no change keeps it");
    assertEquals("x", folders.folder(2));
    assertEquals("x~3", folders.folder(3));
    assertEquals("_~4", folders.folder(4));
    assertEquals("_", folders.folder(5));
    assertEquals(
        List.of("_", "_~4", "a_b", "a_b~0", "x", "x~3"),
        writtenFolders(out, folders, names.size()).stream().sorted().toList());
  }

  @Test
  void aNameTooLongForOneFolderIsCutOnACharacterBoundary(@TempDir Path out) throws IOException {
    String long1 = "猫".repeat(100); // 300 bytes of UTF-8
    String long2 = long1 + "!";
    ClassFolders folders = ClassFolders.of(List.of(long1, long2));
    assertEquals("猫".repeat(80), folders.folder(0), "240 bytes");
    assertEquals("猫".repeat(80) + "~1", folders.folder(1));
    assertEquals(2, writtenFolders(out, folders, 2).size());
  }

  /** Writes image 0 of each class as the writer does and lists the folders made. */
  private static List<String> writtenFolders(Path out, ClassFolders folders, int classes)
      throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    for (int label = 0; label < classes; label++) {
      org.apache.hadoop.fs.Path file =
          new org.apache.hadoop.fs.Path(out.toString(), folders.imagePath(label, 0));
      try (OutputStream stream = OutputFiles.create(fs, file)) {
        stream.write(("class " + label).getBytes(StandardCharsets.UTF_8));
      }
    }
    for (int label = 0; label < classes; label++) {
      Path file = out.resolve(folders.imagePath(label, 0));
      assertTrue(Files.isRegularFile(file), file.toString());
      assertEquals("class " + label, Files.readString(file), "no class overwrote another's image");
    }
    try (Stream<Path> dirs = Files.list(out.resolve("images"))) {
      return dirs.map(p -> p.getFileName().toString()).sorted().toList().stream()
          .sorted((a, b) -> Integer.compare(labelIn(out, folders, a), labelIn(out, folders, b)))
          .toList();
    }
  }

  private static int labelIn(Path out, ClassFolders folders, String folder) {
    try (Stream<Path> files = Files.list(out.resolve("images").resolve(folder))) {
      String name = files.findFirst().orElseThrow().getFileName().toString();
      return Integer.parseInt(name.substring(0, name.indexOf('_')));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
