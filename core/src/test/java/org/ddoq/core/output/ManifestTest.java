package org.ddoq.core.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.ddoq.core.data.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * manifest.csv through {@link Manifest}: awkward class names round-trip, and today's files keep
 * their bytes.
 */
class ManifestTest {
  /**
   * A manifest exactly as DistilledSetWriter wrote it before Manifest (StringBuilder and RFC 4180
   * quoting).
   */
  private static final String WRITTEN_BY_MAIN =
      String.join(
              "\n",
              "path,label,class_name,cluster,count,weight",
              "images/T-shirt_top/0_0.png,0,T-shirt/top,0,412,0.2060000002384185",
              "images/T-shirt_top/0_1.png,0,T-shirt/top,1,1588,0.7940000295639038",
              "images/a_ b/1_0.png,1,\"a, b\",0,7,1.0",
              "images/say _hi_/2_0.png,2,\"say \"\"hi\"\"\",0,3,0.5",
              "images/say _hi_/2_1.png,2,\"say \"\"hi\"\"\",1,3,0.5",
              "images/na_ve/3_0.png,3,naïve,0,1,1.0E-4")
          + "\n";

  @Test
  void aManifestWrittenByMainLoadsAndIsWrittenWithTheSameBytes() {
    Manifest m = Manifest.parse(WRITTEN_BY_MAIN, "OUT/manifest.csv");
    assertEquals(6, m.rows().size());
    assertEquals(new Manifest.Row("images/a_ b/1_0.png", 1, "a, b", 0, 7, 1.0), m.rows().get(2));
    assertEquals("say \"hi\"", m.rows().get(3).className());
    assertEquals(0.7940000295639038, m.rows().get(1).weight());
    assertEquals(1.0E-4, m.rows().get(5).weight());
    assertEquals(WRITTEN_BY_MAIN, m.toCsv());
    assertEquals(
        Manifest.Row.of(
            ClassFolders.of(List.of("T-shirt/top")), 0, "T-shirt/top", 1, 1588, 0.7940000295639038),
        m.rows().get(1));
  }

  @Test
  void awkwardClassNamesRoundTripThroughTheFileSystem(@TempDir Path dir) throws Exception {
    List<String> names =
        List.of(
            "plain",
            "a,b",
            "say \"hi\"",
            "\"",
            "\"\"",
            ",",
            "",
            " lead",
            "trail ",
            "line\nbreak",
            "crlf\r\nbreak",
            "cr\ronly",
            "naïve 猫 Ωμέγα",
            "#hash",
            "semi;colon",
            "tab\there",
            "'single'");
    List<Manifest.Row> rows = new java.util.ArrayList<>();
    ClassFolders folders = ClassFolders.of(names);
    for (int i = 0; i < names.size(); i++) {
      rows.add(Manifest.Row.of(folders, i, names.get(i), i % 3, 1L << 40, 1.0 / (i + 3)));
    }
    Manifest written = new Manifest(rows);
    FileSystem fs = FileSystem.getLocal(new Configuration());
    written.write(fs, dir.toString());
    Manifest read = Manifest.read(fs, dir.toString());
    assertEquals(written, read);
    assertTrue(
        Files.readString(dir.resolve(Manifest.NAME), StandardCharsets.UTF_8).contains(",\"a,b\","));
  }

  @Test
  void crlfLineEndsAndBlankLinesStillLoad() {
    String edited = WRITTEN_BY_MAIN.replace("\n", "\r\n") + "\r\n";
    assertEquals(Manifest.parse(WRITTEN_BY_MAIN, "m"), Manifest.parse(edited, "m"));
  }

  @Test
  void aDamagedManifestIsRefusedNamingTheFileAndRow() {
    InputException header =
        assertThrows(InputException.class, () -> Manifest.parse("a,b\n", "OUT/manifest.csv"));
    assertTrue(
        header.getMessage().contains("OUT/manifest.csv does not start with"), header.getMessage());
    InputException fields =
        assertThrows(
            InputException.class,
            () ->
                Manifest.parse(
                    "path,label,class_name,cluster,count,weight\np,1,a,b,0,3,0.5\n",
                    "OUT/manifest.csv"));
    assertTrue(
        fields.getMessage().contains("OUT/manifest.csv row 2 has 7 fields"), fields.getMessage());
    InputException number =
        assertThrows(
            InputException.class,
            () ->
                Manifest.parse(
                    "path,label,class_name,cluster,count,weight\np,x,a,0,3,0.5\n",
                    "OUT/manifest.csv"));
    assertTrue(number.getMessage().contains("row 2: label"), number.getMessage());
  }
}
