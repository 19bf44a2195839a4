package org.ddoq.core.prior;

/** DiT's fixed 2-D sine-cosine position embedding (MAE's get_2d_sincos_pos_embed). */
final class DitPositions {
  private DitPositions() {}

  /**
   * (gridH * gridW) x width values, token-major (token = row * gridW + column): the first width/2
   * values embed the column, the next width/2 the row, each as sin(pos * w_i) ++ cos(pos * w_i)
   * with w_i = 10000^(-i / (width/4)), i < width/4.
   */
  static float[] sinCos2d(int width, int gridH, int gridW) {
    int quarter = width / 4;
    float[] out = new float[gridH * gridW * width];
    for (int row = 0; row < gridH; row++) {
      for (int col = 0; col < gridW; col++) {
        int base = (row * gridW + col) * width;
        for (int i = 0; i < quarter; i++) {
          double omega = 1 / Math.pow(10_000, (double) i / quarter);
          // DiT builds the grid with meshgrid(w, h), so its first half embeds the column index.
          out[base + i] = (float) Math.sin(col * omega);
          out[base + quarter + i] = (float) Math.cos(col * omega);
          out[base + 2 * quarter + i] = (float) Math.sin(row * omega);
          out[base + 3 * quarter + i] = (float) Math.cos(row * omega);
        }
      }
    }
    return out;
  }
}
