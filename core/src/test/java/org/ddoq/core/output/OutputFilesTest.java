package org.ddoq.core.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output files on the local file system: written without Hadoop's chmod forks, read by Hadoop. */
class OutputFilesTest {
  @Test
  void aLocalFileIsCreatedWithItsFoldersReplacedAndReadBackThroughHadoop(
      @TempDir java.nio.file.Path dir) throws IOException {
    FileSystem fs = new Path(dir.toUri()).getFileSystem(new Configuration());
    Path file = new Path(new Path(dir.toUri()), "images/cat/0_1.png");
    write(fs, file, "first, longer content");
    write(fs, file, "second");

    try (InputStream in = fs.open(file)) {
      assertArrayEquals("second".getBytes(StandardCharsets.UTF_8), in.readAllBytes());
    }
    // No checksum companion: Hadoop's reader takes the file as it is, and nothing else is there.
    assertFalse(Files.exists(dir.resolve("images/cat/.0_1.png.crc")));
  }

  private static void write(FileSystem fs, Path file, String text) throws IOException {
    try (OutputStream out = OutputFiles.create(fs, file)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
