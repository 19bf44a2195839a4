package org.ddoq.core.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.ddoq.core.output.HadoopConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The students of an evaluation that have finished, one small JSON file each under EVAL/students/,
 * written by the executor that trained the student as soon as it is tested. One student takes
 * minutes and all of CIFAR-10 IPC 50 hours, so a stopped evaluation (preempted node, killed driver,
 * time limit) loses only the students in flight: the same command again reads the finished ones
 * back instead of training them. A student is read back only when its fingerprint matches: the hash
 * of its images, labels, weights and seed, the student settings, the test split and the label
 * protocol with its teacher. Anything changed trains it again, so nothing stale is reused.
 */
public final class FinishedStudents implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(FinishedStudents.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String FOLDER = "students";

  private final HadoopConf conf;
  private final String dir;

  /** Hash of everything the runs share: test split, settings, label protocol and teacher. */
  private final String shared;

  /**
   * @param evalDir the evaluation's output folder (EVAL)
   * @param teacherOrNull the teacher giving soft labels; null for hard labels
   */
  public FinishedStudents(
      Configuration conf,
      String evalDir,
      LabelledImages test,
      StudentSettings settings,
      Teacher teacherOrNull) {
    this.conf = new HadoopConf(conf);
    this.dir = new Path(evalDir, FOLDER).toString();
    MessageDigest sha = sha256();
    update(sha, test);
    // Teacher labels since the shared soft labels: views drawn per (epoch, image), not from the
    // seed.
    sha.update(
        (settings
                + "|labels="
                + (teacherOrNull == null
                    ? "hard"
                    : "teacher " + teacherOrNull.key() + " views per epoch and image"))
            .getBytes(StandardCharsets.UTF_8));
    this.shared = HexFormat.of().formatHex(sha.digest());
  }

  /** Where they are kept. */
  public String dir() {
    return dir;
  }

  /** The fingerprint of one run: what its accuracy depends on. */
  String fingerprint(EvaluationRuns.Run run) {
    MessageDigest sha = sha256();
    sha.update(
        (shared + "|" + run.method() + "|" + run.seed() + "|").getBytes(StandardCharsets.UTF_8));
    update(sha, run.set());
    return HexFormat.of().formatHex(sha.digest());
  }

  /**
   * The run's result from an earlier evaluation, if it finished with the same fingerprint (on the
   * driver).
   */
  public Optional<EvaluationRuns.Result> read(EvaluationRuns.Run run) {
    Path file = file(run);
    try {
      FileSystem fs = file.getFileSystem(conf.get());
      if (!fs.exists(file)) {
        return Optional.empty();
      }
      JsonNode json;
      try (InputStream in = fs.open(file)) {
        json = JSON.readTree(in);
      }
      if (!fingerprint(run).equals(json.path("fingerprint").asText())) {
        LOG.info(
            "{} seed {}: {} is from other inputs or settings; training it again",
            run.method(),
            run.seed(),
            file);
        return Optional.empty();
      }
      return Optional.of(
          new EvaluationRuns.Result(
              run.method(),
              run.seed(),
              json.path("accuracy").asDouble(),
              json.path("seconds").asDouble(),
              json.path("images").asInt(),
              true));
    } catch (IOException e) {
      // A damaged record costs one retraining, never the evaluation.
      LOG.warn(
          "{} seed {}: cannot read {} ({}); training it again",
          run.method(),
          run.seed(),
          file,
          e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Records a finished run (on the executor that trained it): written aside, then renamed into
   * place, so a record is whole or absent. A failed write only warns: the result still reaches the
   * driver, and failing the task would train the student again.
   */
  public void write(EvaluationRuns.Run run, EvaluationRuns.Result result) {
    Path file = file(run);
    Path partial = new Path(file.getParent(), "." + file.getName() + ".partial");
    byte[] json =
        (JSON.createObjectNode()
                    .put("method", run.method())
                    .put("seed", run.seed())
                    .put("accuracy", result.accuracy())
                    .put("seconds", result.seconds())
                    .put("images", result.images())
                    .put("fingerprint", fingerprint(run))
                    .toPrettyString()
                + "\n")
            .getBytes(StandardCharsets.UTF_8);
    try {
      FileSystem fs = file.getFileSystem(conf.get());
      try (OutputStream out = fs.create(partial, true)) {
        out.write(json);
      }
      fs.delete(file, false);
      if (!fs.rename(partial, file)) {
        throw new IOException("rename of " + partial + " failed");
      }
    } catch (IOException e) {
      LOG.warn(
          "{} seed {}: could not record the finished student in {} ({}); a rerun would train it again",
          run.method(),
          run.seed(),
          file,
          e.getMessage());
    }
  }

  private Path file(EvaluationRuns.Run run) {
    return new Path(
        dir, run.method().replaceAll("[^A-Za-z0-9._-]", "_") + "-seed" + run.seed() + ".json");
  }

  private static void update(MessageDigest sha, LabelledImages set) {
    sha.update(
        (set.shape() + "|" + set.numClasses() + "|" + set.size()).getBytes(StandardCharsets.UTF_8));
    ByteBuffer row = ByteBuffer.allocate(8);
    for (int i = 0; i < set.size(); i++) {
      sha.update(set.images()[i]);
      row.clear();
      row.putInt(set.labels()[i]).putFloat(set.weights()[i]);
      sha.update(row.array());
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
