package org.ddoq.core.quantize;

import java.io.Serializable;

/**
 * What quantizing one class produced, as the summary reports it.
 *
 * @param label the class label
 * @param className the class name
 * @param size n, the class's number of latents
 * @param requested k, the images per class asked for
 * @param centroids centroids kept (< k when n <= k, or when k-means left clusters empty)
 * @param distortion weighted quantization error: mean squared distance of the class's latents to
 *     their nearest centroid (= W2^2 between the data and the mass-weighted centroids)
 * @param uniformW2 exact W2^2 between the data and the same centroids with equal masses 1/k (D4M's
 *     barycenter weights); NaN when not computed
 * @param seconds wall time of this class's k-means fit(s)
 * @param note what happened that a user should know (empty when nothing unusual)
 */
public record ClassQuantization(
    int label,
    String className,
    long size,
    int requested,
    int centroids,
    double distortion,
    double uniformW2,
    double seconds,
    String note)
    implements Serializable {}
