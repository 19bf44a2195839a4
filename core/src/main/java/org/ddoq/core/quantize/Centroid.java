package org.ddoq.core.quantize;

import java.io.Serializable;

/**
 * One centroid of a class's quantizer: its class, index within the class, position in the latent
 * space, cell count (mass) and training weight. The quantizer makes it, the decoders and the output
 * files read it, so it lives below both.
 */
public record Centroid(
    int label, String className, int cluster, double[] position, long count, double weight)
    implements Serializable {}
