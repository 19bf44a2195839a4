package org.ddoq.core.pipeline;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.ddoq.core.data.ImageDataset;
import org.ddoq.core.quantize.ClassQuantization;

/**
 * What one distill produced (the typed side of OUT/summary.json), like MLlib's {@code
 * KMeansSummary}.
 *
 * @param out where the distilled set was written
 * @param prior the prior directory used
 * @param priorTrained whether this run trained that prior (no prior was given and none was cached)
 * @param images training images read
 * @param decoder the decoder used: dit, vae or nearest ({@code auto} resolved)
 * @param classes per class, what quantizing it gave: the centroids' distortion and uniform W2^2
 * @param delivered per class, the same figures of the images delivered: the chosen training images
 *     for the nearest decoder, else {@code classes}
 * @param distilledImages images in the distilled set
 * @param chosenImages for the nearest decoder, which training image each distilled image is; else
 *     empty
 * @param skipped inputs that could not be read, with the reason for each
 * @param seconds wall time per stage: read, prior, encode, quantize, decode, write, total
 */
public record DistillSummary(
    String out,
    String prior,
    boolean priorTrained,
    long images,
    String decoder,
    List<ClassQuantization> classes,
    List<ClassQuantization> delivered,
    int distilledImages,
    List<ChosenImage> chosenImages,
    List<ImageDataset.Skipped> skipped,
    Map<String, Double> seconds)
    implements Serializable {

  /**
   * One image the nearest decoder delivered: its place in the set (label, cluster) and its training
   * file.
   */
  public record ChosenImage(int label, int cluster, long id, String source)
      implements Serializable {}
}
