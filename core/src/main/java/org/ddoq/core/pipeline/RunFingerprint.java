package org.ddoq.core.pipeline;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.ddoq.core.data.StorageErrors;

/**
 * What a distill's output depends on, as named strings: the settings that change its bytes and the
 * identity (files, bytes, newest change) of the input, the given prior and the teacher. A resumed
 * run must match it, so that the continued output is the one an uninterrupted run would write. Left
 * out: where the output goes, --overwrite/--resume themselves, and --parallelism (how many classes
 * are fitted at once, which does not change any fit).
 */
final class RunFingerprint {
  private RunFingerprint() {}

  static Map<String, String> of(SparkSession spark, DistillSettings s) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("ddoq", Version.get());
    f.put("input", s.input());
    f.put("input files", listing(spark, s.input()));
    f.put("format", s.format());
    f.put("image size", String.valueOf(s.imageSize()));
    f.put("ipc", String.valueOf(s.ipc()));
    f.put("seed", String.valueOf(s.seed()));
    f.put("weights", s.weights());
    f.put("restarts", String.valueOf(s.restarts()));
    f.put("max iter", String.valueOf(s.maxIter()));
    f.put("batch size", String.valueOf(s.batchSize()));
    f.put("keep latents", String.valueOf(s.keepLatents()));
    if (s.prior() != null) {
      f.put("prior", s.prior());
      f.put("prior files", listing(spark, s.prior()));
    } else {
      // The cached prior is found again from these.
      f.put("cache dir", s.cacheDir());
      f.put("prior training", String.valueOf(s.training()));
    }
    f.put("decoding", String.valueOf(s.decoding()));
    f.put("candidates", String.valueOf(s.candidates()));
    if (s.teacher() != null) {
      f.put("teacher", s.teacher());
      f.put("teacher files", listing(spark, s.teacher()));
    }
    return f;
  }

  private static String listing(SparkSession spark, String location) {
    Path path = new Path(location);
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      InputListing l = InputListing.of(fs, path);
      return l.files() + " files, " + l.bytes() + " bytes, newest " + l.newest();
    } catch (IOException e) {
      throw StorageErrors.explain(location, "listing", e);
    }
  }
}
