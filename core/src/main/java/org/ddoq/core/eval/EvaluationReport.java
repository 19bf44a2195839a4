package org.ddoq.core.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.ddoq.core.eval.Evaluation.MethodResult;
import org.ddoq.core.eval.Evaluation.NamedSet;
import org.ddoq.core.eval.Evaluation.Report;

/**
 * Writes {@code EVAL/results.json} (every seed's accuracy, the settings, the teacher, the latent W2
 * table) and {@code EVAL/results.md} (the same as tables a person reads). Accuracies are in percent
 * in the Markdown and as fractions in the JSON.
 */
public final class EvaluationReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private EvaluationReport() {}

  public static void write(
      Configuration conf, String dir, Report report, ObjectNode extraSettings) {
    try {
      Path out = new Path(dir);
      FileSystem fs = out.getFileSystem(conf);
      fs.mkdirs(out);
      try (OutputStream o = fs.create(new Path(out, "results.json"), true)) {
        JSON.writeValue(o, json(report, extraSettings));
      }
      try (OutputStream o = fs.create(new Path(out, "results.md"), true)) {
        o.write(markdown(report).getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not write the results to " + dir + ": " + e.getMessage(), e);
    }
  }

  static ObjectNode json(Report report, ObjectNode extraSettings) {
    ObjectNode root = JSON.createObjectNode();
    root.put("tool", "ddoq evaluate");
    ObjectNode settings = root.putObject("settings");
    settings.setAll(extraSettings);
    Evaluation.Config c = report.config();
    settings.put("labels", c.teacherLabels() ? "teacher" : "hard");
    settings.put("seeds", c.seeds());
    settings.set("student", JSON.valueToTree(c.student()));
    settings.put("student_augmentation", c.student().augmentation().toString());
    ArrayNode methods = root.putArray("methods");
    for (MethodResult row : report.rows()) {
      ObjectNode m = methods.addObject();
      m.put("method", row.method())
          .put("set", row.set())
          .put("ipc", row.ipc())
          .put("weights", row.weights())
          .put("mean", row.mean())
          .put("std", row.std());
      Double gain = gainOverRandom(report, row);
      if (gain != null) {
        m.put("gain_over_random", gain);
      }
      ArrayNode seeds = m.putArray("runs");
      for (EvaluationRuns.Result r : row.runs()) {
        seeds
            .addObject()
            .put("seed", r.seed())
            .put("accuracy", r.accuracy())
            .put("seconds", r.seconds())
            .put("images", r.images())
            .put("resumed", r.resumed());
      }
    }
    if (report.teacher() != null) {
      report.teacher().describe(root.putObject("teacher"));
    }
    ArrayNode w2 = root.putArray("latent_w2");
    for (NamedSet s : report.sets()) {
      W2Row row = W2Row.of(s);
      if (row != null) {
        w2.addObject()
            .put("set", s.name())
            .put("dir", s.set().dir())
            .put("ipc", row.ipc)
            .put("weighted_w2", row.weighted)
            .put("uniform_w2", row.uniform)
            .put("reduction_percent", row.reduction());
      }
      W2Row centroids = W2Row.of(s, "centroid_");
      if (row != null && centroids != null) {
        ((ObjectNode) w2.get(w2.size() - 1))
            .put("centroid_weighted_w2", centroids.weighted)
            .put("centroid_uniform_w2", centroids.uniform);
      }
    }
    ArrayNode recognised = root.putArray("teacher_recognition");
    for (Recognition r : report.recognition()) {
      ObjectNode o = recognised.addObject().put("set", r.set()).put("overall", r.overall());
      ArrayNode perClass = o.putArray("per_class");
      for (int k = 0; k < r.perClass().size(); k++) {
        perClass
            .addObject()
            .put("label", k)
            .put("class_name", className(report, r.set(), k))
            .put("recognised", r.perClass().get(k));
      }
    }
    root.put("seconds", report.seconds());
    return root;
  }

  static String markdown(Report report) {
    StringBuilder md = new StringBuilder();
    Evaluation.Config c = report.config();
    md.append("# ddoq evaluate: ")
        .append(c.teacherLabels() ? "teacher soft labels" : "hard labels")
        .append(", ")
        .append(c.seeds())
        .append(c.seeds() == 1 ? " seed" : " seeds")
        .append("\n\n");
    md.append("Test accuracy (%) of a ConvNet-")
        .append(c.student().depth())
        .append(" (width ")
        .append(c.student().width())
        .append(") trained on each set; mean +- std over seeds.\n\n");
    // The gain over the random real subset of the same IPC and protocol is DD-Ranking's score of a
    // set.
    md.append(
        "| method | set | IPC | weights | accuracy % | gain over random | runs |\n|---|---|---|---|---|---|---|\n");
    for (MethodResult row : report.rows()) {
      StringBuilder runs = new StringBuilder();
      for (EvaluationRuns.Result r : row.runs()) {
        runs.append(runs.length() == 0 ? "" : ", ").append(pct(r.accuracy()));
      }
      // An imported teacher's row: its file, no IPC or weights of a training set we know.
      boolean imported =
          row.method().equals("whole") && report.teacher() instanceof ImportedTeacher;
      md.append("| ")
          .append(imported ? "imported teacher" : label(row.method()))
          .append(" | ")
          .append(
              imported
                  ? java.nio.file.Path.of(((ImportedTeacher) report.teacher()).path()).getFileName()
                  : row.set())
          .append(" | ")
          .append(imported ? "-" : row.ipc() < 0 ? "all" : String.valueOf(row.ipc()))
          .append(" | ")
          .append(imported ? "-" : row.weights())
          .append(" | ")
          .append(pct(row.mean()))
          .append(row.runs().size() > 1 ? " +- " + pct(row.std()) : "")
          .append(" | ")
          .append(gainText(report, row))
          .append(" | ")
          .append(runs)
          .append(" |\n");
    }
    md.append(
        "\nLatent W2 between each class and its centroids (mean over classes): mass weights vs uniform"
            + " weights (D4M).\n\n");
    md.append(
        "| set | IPC | W2 mass-weighted | W2 uniform | reduction % |\n|---|---|---|---|---|\n");
    for (NamedSet s : report.sets()) {
      W2Row row = W2Row.of(s);
      if (row != null) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %d | %.4f | %.4f | %.1f |%n",
                s.name(),
                row.ipc,
                row.weighted,
                row.uniform,
                row.reduction()));
      }
      // A nearest-decoded set's W2 is its chosen images'; its centroids' follow on their own row.
      W2Row centroids = W2Row.of(s, "centroid_");
      if (centroids != null) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %s (its centroids) | %d | %.4f | %.4f | %.1f |%n",
                s.name(),
                centroids.ipc,
                centroids.weighted,
                centroids.uniform,
                centroids.reduction()));
      }
    }
    if (report.teacher() != null) {
      md.append('\n').append(report.teacher().summary()).append('\n');
    }
    if (!report.recognition().isEmpty()) {
      md.append(
          "\nImages of each set the teacher classifies as their own class (%): how recognisable they are.\n\n");
      Recognition first = report.recognition().get(0);
      md.append("| set | all |");
      for (int k = 0; k < first.perClass().size(); k++) {
        md.append(' ').append(className(report, first.set(), k)).append(" |");
      }
      md.append("\n|---|---|").append("---|".repeat(first.perClass().size())).append('\n');
      for (Recognition r : report.recognition()) {
        md.append("| ").append(r.set()).append(" | ").append(pct(r.overall())).append(" |");
        for (double v : r.perClass()) {
          md.append(' ').append(Double.isNaN(v) ? "-" : pct(v)).append(" |");
        }
        md.append('\n');
      }
    }
    md.append(
        String.format(
            Locale.ROOT, "%nStudent: %s. Wall time %.0f s.%n", c.student(), report.seconds()));
    long resumed =
        report.rows().stream()
            .flatMap(r -> r.runs().stream())
            .filter(EvaluationRuns.Result::resumed)
            .count();
    if (resumed > 0) {
      md.append(
          String.format(
              Locale.ROOT,
              "%d students were read back from %s/ (finished before this run was"
                  + " stopped); their seconds are from that run.%n",
              resumed,
              FinishedStudents.FOLDER));
    }
    return md.toString();
  }

  /**
   * Class c's name from the set's summary.json, or its number when the summary does not name it.
   */
  private static String className(Report report, String set, int c) {
    for (NamedSet s : report.sets()) {
      if (s.name().equals(set)) {
        for (JsonNode k : s.set().summary().path("classes")) {
          if (k.path("label").asInt(-1) == c && k.path("class_name").isTextual()) {
            return k.path("class_name").asText();
          }
        }
      }
    }
    return String.valueOf(c);
  }

  private static String label(String method) {
    return switch (method) {
      case "uniform" -> "uniform (D4M)";
      case "mass" -> "DDOQ mass";
      case "sqrt" -> "DDOQ sqrt";
      case "random" -> "random real";
      case "whole" -> "whole training set";
      default -> method;
    };
  }

  private static String pct(double fraction) {
    return String.format(Locale.ROOT, "%.2f", 100 * fraction);
  }

  /**
   * From a distilled set's summary.json classes: mean over classes of W2 = sqrt(distortion) for the
   * mass-weighted centroids and sqrt(uniform_w2) for the same centroids with uniform weights (the
   * paper compares W2 itself, averaged over classes).
   */
  /**
   * Percentage points over the random real subset of the row's IPC; null for random, whole or no
   * such row.
   */
  static Double gainOverRandom(Report report, MethodResult row) {
    if (row.method().equals("random") || row.method().equals("whole")) {
      return null;
    }
    return report.rows().stream()
        .filter(r -> r.method().equals("random") && r.ipc() == row.ipc() && !r.runs().isEmpty())
        .findFirst()
        .map(r -> 100 * (row.mean() - r.mean()))
        .orElse(null);
  }

  private static String gainText(Report report, MethodResult row) {
    Double gain = gainOverRandom(report, row);
    return gain == null
        ? (row.method().equals("random") ? "0" : "-")
        : String.format(Locale.ROOT, "%+.2f", gain);
  }

  private record W2Row(int ipc, double weighted, double uniform) {
    static W2Row of(NamedSet s) {
      return of(s, "");
    }

    /**
     * {@code prefix} "centroid_": the centroids' figures that a nearest-decoded set keeps beside
     * its own.
     */
    static W2Row of(NamedSet s, String prefix) {
      JsonNode classes = s.set().summary().path("classes");
      double weighted = 0;
      double uniform = 0;
      int n = 0;
      for (JsonNode c : classes) {
        if (c.path(prefix + "distortion").isNumber() && c.path(prefix + "uniform_w2").isNumber()) {
          weighted += Math.sqrt(c.path(prefix + "distortion").asDouble());
          uniform += Math.sqrt(c.path(prefix + "uniform_w2").asDouble());
          n++;
        }
      }
      return n == 0 ? null : new W2Row(s.set().imagesPerClass(), weighted / n, uniform / n);
    }

    double reduction() {
      double percent = uniform > 0 ? 100 * (1 - weighted / uniform) : 0;
      // Equal W2s (IPC 1: one centroid, weight 1) differ in their last bits: show 0, not "-0.0".
      return Math.abs(percent) < 1e-6 ? 0 : percent;
    }
  }
}
