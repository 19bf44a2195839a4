package org.ddoq.core.pipeline;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.InputException;
import org.ddoq.core.data.StorageErrors;
import org.ddoq.core.output.DistilledSetWriter;
import org.ddoq.core.output.StagedOutput;
import org.ddoq.core.stage.ClassQuantizerModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code OUT/_run/}: what an unfinished distill has finished, so that {@code --resume} continues
 * from the last finished stage instead of starting over.
 *
 * <pre>
 * OUT/_run/settings.json   what the output depends on ({@link RunFingerprint}); a resume must match it
 * OUT/_run/latents/        the encoded latents, Parquet with its _SUCCESS (OUT/latents with --keep-latents)
 * OUT/_run/quantizer/      the fitted ClassQuantizerModel; OUT/_run/quantized marks it whole
 * OUT/_run/staging/        the output files, moved into OUT when all are written
 * </pre>
 *
 * The output files go through {@link StagedOutput}: OUT never shows half a set.
 */
final class Checkpoints {
  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
  static final String DIR = StagedOutput.RUN_DIR;
  private static final String SETTINGS = "settings.json";
  private static final String QUANTIZED = "quantized";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The stages a run can resume after, in order. */
  enum Stage {
    NONE("nothing yet"),
    ENCODED("the encoded latents"),
    QUANTIZED("the encoded latents and the k-means centroids");

    final String kept;

    Stage(String kept) {
      this.kept = kept;
    }
  }

  private final FileSystem fs;
  private final Path out;
  private final Path run;
  private final boolean keepLatents;
  private final Stage resumedAfter;
  private final Supplier<Map<String, String>> fingerprint;

  private Checkpoints(
      FileSystem fs,
      Path out,
      boolean keepLatents,
      Stage resumedAfter,
      Supplier<Map<String, String>> fingerprint) {
    this.fs = fs;
    this.out = out;
    this.run = new Path(out, DIR);
    this.keepLatents = keepLatents;
    this.resumedAfter = resumedAfter;
    this.fingerprint = fingerprint;
  }

  /**
   * Before any data is read: a fresh OUT (absent, or replaced with --overwrite) is checked and left
   * absent until {@link #begin}; an OUT holding an unfinished run is continued with --resume when
   * its settings match {@code fingerprint}'s, and refused with what to do otherwise. With both
   * --resume and --overwrite (what a scheduler passes) a run that can be continued is, and anything
   * else in OUT is replaced.
   */
  static Checkpoints open(
      SparkSession spark, DistillSettings s, Supplier<Map<String, String>> fingerprint) {
    Path out = new Path(s.out());
    try {
      FileSystem fs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
      boolean continues = s.resume() && s.overwrite() && continuable(fs, out, fingerprint);
      if ((s.overwrite() && !continues) || !fs.exists(out)) {
        if (s.resume() && fs.exists(out)) {
          LOG.info("{} holds no run these settings continue: --overwrite replaces it", s.out());
        }
        DistilledSetWriter.prepareTarget(
            spark, s.out(), s.overwrite(), s.input(), "--input", false);
        return new Checkpoints(fs, out, s.keepLatents(), Stage.NONE, fingerprint);
      }
      DistilledSetWriter.checkApart(spark, s.out(), s.input(), "--input", false);
      if (fs.exists(new Path(out, DistilledSetWriter.SUCCESS))) {
        throw new InputException(
            "output "
                + s.out()
                + " already exists and holds a finished distill ("
                + DistilledSetWriter.SUCCESS
                + ")"
                + (s.resume() ? ", nothing to resume" : "")
                + "; choose a new --out, or pass --overwrite to replace it");
      }
      Path settings = new Path(new Path(out, DIR), SETTINGS);
      if (!fs.exists(settings)) {
        throw new InputException(
            "output "
                + s.out()
                + " already exists"
                + (s.resume()
                    ? " and holds no run to resume (no " + DIR + "/" + SETTINGS + ")"
                    : "")
                + "; choose a new --out, or pass --overwrite to replace it");
      }
      Checkpoints found = new Checkpoints(fs, out, s.keepLatents(), Stage.NONE, fingerprint);
      Stage kept = found.finished();
      if (!s.resume()) {
        throw new InputException(
            "output "
                + s.out()
                + " holds a distill that stopped before it finished (it keeps "
                + kept.kept
                + "); run the same command with --resume to continue it, or pass --overwrite to"
                + " start over");
      }
      List<String> differences = differences(found.readSettings(), fingerprint.get());
      if (!differences.isEmpty()) {
        throw new InputException(
            "--resume: the run in "
                + s.out()
                + " was started with other settings ("
                + String.join("; ", differences)
                + "); resume it with the settings it was started with, or pass --overwrite to"
                + " start over");
      }
      return new Checkpoints(fs, out, s.keepLatents(), kept, fingerprint);
    } catch (IOException e) {
      throw StorageErrors.explain(s.out(), "checking the output", e);
    }
  }

  /** An unfinished run in {@code out} with these settings. */
  private static boolean continuable(
      FileSystem fs, Path out, Supplier<Map<String, String>> fingerprint) throws IOException {
    Path settings = new Path(new Path(out, DIR), SETTINGS);
    if (!fs.exists(settings) || fs.exists(new Path(out, DistilledSetWriter.SUCCESS))) {
      return false;
    }
    Checkpoints found = new Checkpoints(fs, out, false, Stage.NONE, fingerprint);
    try {
      return differences(found.readSettings(), fingerprint.get()).isEmpty();
    } catch (InputException e) {
      return false;
    }
  }

  /**
   * Once the input is read (a run refused for its input leaves no OUT): a fresh run makes OUT and
   * records its settings; a resumed one has them already.
   */
  void begin() {
    if (resumedAfter == Stage.NONE && !exists(new Path(run, SETTINGS))) {
      try {
        writeSettings(fingerprint.get());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + run + ": " + e.getMessage(), e);
      }
    }
  }

  private boolean exists(Path path) {
    try {
      return fs.exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last stage the run had finished when this one started (NONE for a fresh run). */
  Stage resumedAfter() {
    return resumedAfter;
  }

  /** The last stage finished now: what a stopped run keeps. */
  Stage finished() {
    try {
      if (!fs.exists(new Path(latents(), DistilledSetWriter.SUCCESS))) {
        return Stage.NONE;
      }
      return fs.exists(new Path(run, QUANTIZED)) ? Stage.QUANTIZED : Stage.ENCODED;
    } catch (IOException e) {
      return Stage.NONE;
    }
  }

  /** Where the latents are kept: OUT/latents when the user keeps them, else inside _run. */
  String latents() {
    return keepLatents ? new Path(out, "latents").toString() : new Path(run, "latents").toString();
  }

  /** Clears a latents folder a stopped run left half written. */
  void clearLatents() {
    delete(new Path(latents()));
  }

  /** Saves the fitted quantizer, then marks it whole: a stopped run resumes after k-means. */
  void saveQuantizer(ClassQuantizerModel model) {
    Path dir = new Path(run, "quantizer");
    try {
      model.write().overwrite().save(dir.toString());
      DistilledSetWriter.writeText(fs, new Path(run, QUANTIZED), "");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the centroids to " + dir + ": " + e, e);
    }
  }

  /** The quantizer a stopped run saved (its stage is QUANTIZED). */
  ClassQuantizerModel loadQuantizer() {
    return ClassQuantizerModel.load(new Path(run, "quantizer").toString());
  }

  /** Where the output files go until the set is whole ({@link StagedOutput}). */
  StagedOutput output() {
    return new StagedOutput(fs, out.toString(), keepLatents ? Set.of("latents") : Set.of());
  }

  /** One line for a user who stopped the run: what is kept and how to go on. */
  String stoppedLine() {
    Stage kept = finished();
    return kept == Stage.NONE
        ? out + " keeps nothing yet: run the same command with --resume to start it again"
        : out
            + " keeps "
            + kept.kept
            + ": run the same command with --resume to continue from there";
  }

  private void writeSettings(Map<String, String> fingerprint) throws IOException {
    Path tmp = new Path(run, SETTINGS + ".tmp");
    DistilledSetWriter.writeText(fs, tmp, JSON.writeValueAsString(fingerprint) + "\n");
    if (!fs.rename(tmp, new Path(run, SETTINGS))) {
      throw new IOException("could not write " + new Path(run, SETTINGS));
    }
  }

  private Map<String, String> readSettings() throws IOException {
    try (InputStream in = fs.open(new Path(run, SETTINGS))) {
      return JSON.readValue(in, new TypeReference<LinkedHashMap<String, String>>() {});
    } catch (IOException e) {
      throw new InputException(
          "cannot read "
              + new Path(run, SETTINGS)
              + " ("
              + e.getMessage()
              + "); pass --overwrite to start over",
          e);
    }
  }

  /** "ipc: 10 then, 50 now" for every setting that differs. */
  static List<String> differences(Map<String, String> then, Map<String, String> now) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> e : now.entrySet()) {
      String before = then.get(e.getKey());
      if (!e.getValue().equals(before)) {
        out.add(e.getKey() + ": " + before + " then, " + e.getValue() + " now");
      }
    }
    for (String key : then.keySet()) {
      if (!now.containsKey(key)) {
        out.add(key + ": " + then.get(key) + " then, not set now");
      }
    }
    return out;
  }

  private void delete(Path path) {
    try {
      if (fs.exists(path) && !fs.delete(path, true)) {
        throw new IOException("delete returned false");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + path + ": " + e.getMessage(), e);
    }
  }
}
