package org.ddoq.core.diffusion;

/**
 * Standard normal noise per image. The sampler calls {@code next(i, size)} for image i (its index
 * in the batch given to {@link DdimSampler#sample}) in this order: once for q_sample, then once per
 * stochastic step (sigma > 0), in the order the steps are visited. Within a step images are asked
 * in index order, but a source whose streams are per image (as {@link DdimSampler#seeded}) does not
 * depend on that.
 */
public interface NoiseSource {
  float[] next(int image, int size);
}
