package org.ddoq.core.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;
import scala.tools.nsc.Global;
import scala.tools.nsc.Settings;
import scala.tools.nsc.reporters.ConsoleReporter;

/**
 * The Zeppelin note (submit-scripts/zeppelin/ddoq-explore.zpln) cannot silently rot: its {@code
 * %spark} paragraphs, in order, are compiled with the real Scala 2.13 compiler against this
 * module's classes and Spark, as Zeppelin's Spark interpreter would run them. Only what Zeppelin
 * itself provides is stood in for: {@code spark} (a SparkSession), {@code sc}, and {@code z} (the
 * ZeppelinContext methods the note may call, with Zeppelin's signatures). A class, method or
 * parameter the note names and ddoq lacks fails the build. The text boxes answer their defaults
 * unless a test sets {@code zeppelin.textbox.NAME} (ZeppelinNoteRunTest runs the note on a small
 * slice).
 */
class ZeppelinNoteTest {
  static final String NOTE = "submit-scripts/zeppelin/ddoq-explore.zpln";

  /**
   * Stand-ins for Zeppelin's bindings; the methods mirror ZeppelinContext (textbox, select,
   * checkbox, show).
   */
  private static final String BINDINGS =
      String.join(
          "\n",
          "package zeppelin_note",
          "class ZeppelinContextStandIn {",
          "  def textbox(name: String): Object = \"\"",
          "  def textbox(name: String, defaultValue: String): Object = sys.props.getOrElse(\"zeppelin.textbox.\" + name, defaultValue)",
          "  def select(name: String, options: java.util.List[org.apache.zeppelin.display.ui.OptionInput.ParamOption]): Object = null",
          "  def show(o: Object): Unit = ()",
          "  def show(o: Object, maxResult: Int): Unit = ()",
          "}",
          "");

  /** Zeppelin's ParamOption class, so a stand-in select() has its real parameter type. */
  private static final String PARAM_OPTION =
      String.join(
          "\n",
          "package org.apache.zeppelin.display.ui",
          "object OptionInput { class ParamOption(val value: Object, val displayName: String) }",
          "");

  static JsonNode note;
  static Path work;

  @BeforeAll
  static void readNote() throws IOException {
    note = new ObjectMapper().readTree(repoFile(NOTE).toFile());
    work = Files.createTempDirectory("ddoq-zeppelin-note");
  }

  @Test
  void noteIsAZeppelinNoteWithSparkParagraphs() {
    assertTrue(note.get("name").asText().contains("ddoq"));
    assertEquals("spark", note.get("defaultInterpreterGroup").asText());
    List<String> scala = sparkParagraphs();
    assertTrue(scala.size() >= 4, "the note has " + scala.size() + " %spark paragraphs");
    String all = String.join("\n", scala);
    for (String used :
        List.of(
            "new Pipeline()",
            "LatentEncoder",
            "ClassQuantizer",
            "CentroidDecoder",
            "%html",
            "weight")) {
      assertTrue(all.contains(used), "the note's code does not use " + used);
    }
    for (JsonNode p : note.get("paragraphs")) {
      assertTrue(
          p.hasNonNull("id") && p.hasNonNull("config") && p.hasNonNull("settings"),
          "paragraph " + p);
    }
  }

  @Test
  void sparkParagraphsCompileAgainstDdoqAndSpark() throws IOException {
    String errors = compile(sparkParagraphs(), "compiles");
    assertEquals(
        "", errors, "the Zeppelin note " + NOTE + " no longer compiles against ddoq:\n" + errors);
  }

  @Test
  void aParagraphNamingAMissingMethodFailsTheCheck() throws IOException {
    List<String> broken = new ArrayList<>(sparkParagraphs());
    broken.add(
        "%spark\nval q = new org.ddoq.core.stage.ClassQuantizer().setImagesPerClassThatDoNotExist(3)");
    String errors = compile(broken, "broken");
    assertTrue(
        errors.contains("setImagesPerClassThatDoNotExist"),
        "a missing method was not reported:\n" + errors);
  }

  /**
   * The code of the {@code %spark} (Scala) paragraphs, in note order, without the interpreter line.
   */
  static List<String> sparkParagraphs() {
    List<String> code = new ArrayList<>();
    for (JsonNode p : note.get("paragraphs")) {
      String text = p.path("text").asText("");
      String first = text.lines().findFirst().orElse("").trim();
      if (first.equals("%spark") || first.equals("%spark.spark")) {
        code.add(text.substring(text.indexOf('\n') + 1));
      }
    }
    return code;
  }

  /**
   * Compiles the paragraphs as one class body, as the interpreter's session sees them; returns the
   * errors.
   */
  static String compile(List<String> paragraphs, String name) throws IOException {
    Path dir = Files.createDirectories(work.resolve(name));
    StringBuilder note =
        new StringBuilder("package zeppelin_note\n\n")
            .append(
                "class Note(val spark: org.apache.spark.sql.SparkSession, val z: ZeppelinContextStandIn) {\n")
            .append("  val sc = spark.sparkContext\n");
    for (int i = 0; i < paragraphs.size(); i++) {
      note.append("  // ---- paragraph ")
          .append(i + 1)
          .append('\n')
          .append(paragraphs.get(i))
          .append('\n');
    }
    note.append("}\n");
    Path noteFile = Files.writeString(dir.resolve("Note.scala"), note);
    Path bindings = Files.writeString(dir.resolve("Bindings.scala"), BINDINGS);
    Path option = Files.writeString(dir.resolve("ParamOption.scala"), PARAM_OPTION);
    Path classes = Files.createDirectories(dir.resolve("classes"));

    Settings settings = new Settings();
    settings.processArguments(
        CollectionConverters.asScala(
                List.of("-classpath", classpath(), "-d", classes.toString(), "-nowarn"))
            .toList(),
        true);
    StringWriter messages = new StringWriter();
    ConsoleReporter reporter =
        new ConsoleReporter(
            settings, new BufferedReader(new StringReader("")), new PrintWriter(messages, true));
    Global global = new Global(settings, reporter);
    Global.Run run = global.new Run();
    run.compile(
        CollectionConverters.asScala(
                List.of(noteFile.toString(), bindings.toString(), option.toString()))
            .toList());
    reporter.flush();
    return reporter.hasErrors() ? messages.toString() : "";
  }

  /**
   * This JVM's classpath (under Surefire the real one, not its booter jar): ddoq's classes, Spark,
   * Scala.
   */
  private static String classpath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  private static Path repoFile(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    throw new IllegalStateException(
        relative + " not found above " + Path.of("").toAbsolutePath() + File.separator);
  }
}
