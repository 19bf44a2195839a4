package org.ddoq.core.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.ddoq.core.data.ImageFiles;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.data.InputException;
import org.ddoq.core.output.Manifest;
import org.ddoq.core.output.SummaryFile;
import org.ddoq.core.quantize.CentroidWeights;

/**
 * A finished {@code ddoq distill} output read back for evaluation: the images listed in
 * manifest.csv with their labels and cell counts, and summary.json (run parameters, per-class
 * distortions). The weights are recomputed from the counts, so one distilled set yields the mass,
 * sqrt and uniform (D4M) variants whatever scheme its run wrote.
 *
 * @param dir the OUT directory (any Hadoop path)
 * @param images CHW bytes per manifest row, converted to the evaluation's image shape
 * @param labels label per row
 * @param counts training images in the row's Voronoi cell
 * @param summary the parsed summary.json
 */
public record DistilledSet(
    String dir, byte[][] images, int[] labels, long[] counts, JsonNode summary) {

  /**
   * Reads OUT; refuses an incomplete run (no _SUCCESS), a manifest that is not distill's, a missing
   * or corrupt image, and a label outside 0..numClasses-1, each with the file or row and what to
   * do.
   */
  public static DistilledSet read(
      Configuration conf, String dir, ImageShape shape, int numClasses) {
    try {
      Path root = new Path(dir);
      FileSystem fs = root.getFileSystem(conf);
      if (!fs.exists(root)) {
        throw new InputException(
            "distilled set "
                + dir
                + " does not exist; pass the OUT of a finished"
                + " `ddoq distill`");
      }
      if (!fs.exists(new Path(root, "_SUCCESS"))) {
        throw new InputException(
            dir
                + " has no _SUCCESS: the distill run that wrote it did not finish;"
                + " run it again");
      }
      JsonNode summary = SummaryFile.readTree(fs, dir);
      List<Manifest.Row> rows = Manifest.read(fs, dir).rows();
      byte[][] images = new byte[rows.size()][];
      int[] labels = new int[rows.size()];
      long[] counts = new long[rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        Manifest.Row row = rows.get(i);
        labels[i] = row.label();
        counts[i] = row.count();
        if (labels[i] < 0 || labels[i] >= numClasses) {
          throw new InputException(
              dir
                  + "/"
                  + Manifest.NAME
                  + " row "
                  + (i + 2)
                  + ": label "
                  + labels[i]
                  + " is outside 0.."
                  + (numClasses - 1)
                  + " of the evaluation data; evaluate with the data the set was distilled from");
        }
        images[i] = ImageFiles.read(conf, new Path(root, row.path()).toString(), shape);
      }
      if (images.length == 0) {
        throw new InputException(
            dir + "/" + Manifest.NAME + " lists no images; nothing to evaluate");
      }
      return new DistilledSet(dir, images, labels, counts, summary);
    } catch (IOException e) {
      throw new InputException(
          "could not read the distilled set " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The rows' weights under {@code scheme}, computed per class from the counts (each class sums to
   * 1).
   */
  public float[] weights(CentroidWeights.Scheme scheme) {
    Map<Integer, List<Integer>> byClass = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i++) {
      byClass.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
    }
    float[] out = new float[labels.length];
    for (List<Integer> rows : byClass.values()) {
      long[] c = rows.stream().mapToLong(i -> counts[i]).toArray();
      double[] w = CentroidWeights.weights(c, scheme);
      for (int j = 0; j < rows.size(); j++) {
        out[rows.get(j)] = (float) w[j];
      }
    }
    return out;
  }

  /**
   * Images per class as distill was asked for (parameters.ipc), or the largest class's row count.
   */
  public int imagesPerClass() {
    JsonNode ipc = summary.path("parameters").path("ipc");
    if (ipc.isInt()) {
      return ipc.asInt();
    }
    Map<Integer, Integer> perClass = new LinkedHashMap<>();
    for (int label : labels) {
      perClass.merge(label, 1, Integer::sum);
    }
    return perClass.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  public LabelledImages asTrainingSet(
      ImageShape shape, int numClasses, CentroidWeights.Scheme scheme) {
    return new LabelledImages(images, labels, weights(scheme), shape, numClasses);
  }
}
