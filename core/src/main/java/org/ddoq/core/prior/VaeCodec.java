package org.ddoq.core.prior;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.ddoq.core.data.ImageShape;
import org.ddoq.core.prior.PriorSpec.PixelNormalization;

/**
 * Bytes and floats to and from the VAE's arrays; the one place that applies the pixel
 * normalisation, shared by training, evaluation and {@link PriorSession}s so all three see the same
 * numbers.
 */
final class VaeCodec {
  private VaeCodec() {}

  /** Images (each C*H*W unsigned bytes) to model input (N, C, H, W). */
  static NDArray images(
      NDManager manager, byte[][] images, ImageShape shape, PixelNormalization norm) {
    int size = shape.size();
    float scale = (float) (1 / (255 * norm.std()));
    float offset = (float) (norm.mean() / norm.std());
    float[] values = new float[images.length * size];
    for (int i = 0; i < images.length; i++) {
      byte[] image = images[i];
      if (image.length != size) {
        throw new IllegalArgumentException(
            "image "
                + i
                + " has "
                + image.length
                + " bytes, expected "
                + size
                + " for shape "
                + shape);
      }
      for (int p = 0; p < size; p++) {
        values[i * size + p] = (image[p] & 0xff) * scale - offset;
      }
    }
    return manager.create(
        values, new Shape(images.length, shape.channels(), shape.height(), shape.width()));
  }

  /** Encoder output (N, 2*latentChannels, h, w) to posterior means, one float[] (CHW) per image. */
  static float[][] means(NDArray encoderOutput, LatentShape latent) {
    NDArray mean = encoderOutput.get(new NDIndex(":, 0:{}", latent.channels()));
    return rows(mean.toFloatArray(), latent.size());
  }

  /** Latents (each in CHW order) to decoder input (N, c, h, w). */
  static NDArray latents(NDManager manager, float[][] latents, LatentShape latent) {
    int size = latent.size();
    float[] values = new float[latents.length * size];
    for (int i = 0; i < latents.length; i++) {
      if (latents[i].length != size) {
        throw new IllegalArgumentException(
            "latent "
                + i
                + " has "
                + latents[i].length
                + " values, expected "
                + size
                + " for shape "
                + latent);
      }
      System.arraycopy(latents[i], 0, values, i * size, size);
    }
    return manager.create(
        values, new Shape(latents.length, latent.channels(), latent.height(), latent.width()));
  }

  /** Decoder output (N, C, H, W) to images: unsigned bytes, rounded, clamped to 0..255. */
  static byte[][] toImages(NDArray decoded, ImageShape shape, PixelNormalization norm) {
    float[] values = decoded.toFloatArray();
    int size = shape.size();
    byte[][] images = new byte[values.length / size][size];
    for (int i = 0; i < images.length; i++) {
      for (int p = 0; p < size; p++) {
        double pixel = (values[i * size + p] * norm.std() + norm.mean()) * 255;
        images[i][p] = (byte) Math.max(0, Math.min(255, Math.round(pixel)));
      }
    }
    return images;
  }

  private static float[][] rows(float[] values, int size) {
    float[][] rows = new float[values.length / size][size];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(values, i * size, rows[i], 0, size);
    }
    return rows;
  }
}
