package org.ddoq.core.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * A valid 8-bit grey PNG of any declared size whose pixels are all 0: its zlib stream of zeros
 * compresses ~1000:1, so 30000 x 30000 pixels (900 MB decoded) take under a megabyte of file.
 */
public final class BombPng {
  private BombPng() {}

  public static byte[] of(int width, int height) throws IOException {
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    try (DeflaterOutputStream z =
        new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION), 1 << 16)) {
      byte[] row = new byte[width + 1]; // filter byte 0 (none), then the row's pixels
      for (int y = 0; y < height; y++) {
        z.write(row);
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream header = new DataOutputStream(ihdr);
    header.writeInt(width);
    header.writeInt(height);
    header.write(
        new byte[] {8, 0, 0, 0, 0}); // 8 bits, grey, deflate, adaptive filter, no interlace
    chunk(png, "IHDR", ihdr.toByteArray());
    chunk(png, "IDAT", idat.toByteArray());
    chunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream png, String type, byte[] data)
      throws IOException {
    DataOutputStream out = new DataOutputStream(png);
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    out.writeInt(data.length);
    out.write(name);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    out.writeInt((int) crc.getValue());
  }
}
