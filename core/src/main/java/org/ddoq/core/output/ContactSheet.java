package org.ddoq.core.output;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * One PNG to look at a distilled set: a row per class (its name on the left), the class's images
 * left to right by cluster, each image's weight written under it. Small images are enlarged
 * (nearest neighbour, so pixels stay visible) to at least 64 px. At most {@value #MAX_ROWS} classes
 * are drawn; the caption says when there are more.
 */
public final class ContactSheet {
  public static final int MAX_ROWS = 100;
  private static final int MIN_CELL = 64;
  private static final int PAD = 6;

  /** One distilled image: its class, cluster, weight and PNG bytes. */
  public record Tile(int label, String className, int cluster, double weight, byte[] png) {}

  private ContactSheet() {}

  /** PNG bytes of the sheet; tiles in any order. */
  public static byte[] render(List<Tile> tiles) {
    Map<Integer, List<Tile>> rows = new LinkedHashMap<>();
    tiles.stream()
        .sorted(
            (a, b) ->
                a.label() != b.label()
                    ? Integer.compare(a.label(), b.label())
                    : Integer.compare(a.cluster(), b.cluster()))
        .forEach(t -> rows.computeIfAbsent(t.label(), l -> new ArrayList<>()).add(t));
    List<List<Tile>> shown =
        new ArrayList<>(rows.values()).subList(0, Math.min(MAX_ROWS, rows.size()));
    int columns = shown.stream().mapToInt(List::size).max().orElse(0);
    BufferedImage first = tiles.isEmpty() ? null : read(tiles.get(0).png());
    int side = first == null ? MIN_CELL : Math.max(first.getWidth(), first.getHeight());
    int zoom = Math.max(1, (MIN_CELL + side - 1) / side);
    int cell = side * zoom;
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    int label = 110;
    int text = 14;
    int caption = rows.size() > MAX_ROWS ? 18 : 0;
    int width = label + columns * (cell + PAD) + PAD;
    int height = shown.size() * (cell + text + PAD) + PAD + caption;
    BufferedImage sheet =
        new BufferedImage(Math.max(width, 200), Math.max(height, 40), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setFont(font);
    FontMetrics metrics = g.getFontMetrics();
    int y = PAD;
    for (List<Tile> row : shown) {
      g.setColor(Color.BLACK);
      g.drawString(
          fit(row.get(0).label() + " " + row.get(0).className(), metrics, label - PAD),
          PAD,
          y + cell / 2);
      int x = label;
      for (Tile t : row) {
        g.drawImage(read(t.png()), x, y, cell, cell, null);
        String w = String.format("%.3f", t.weight());
        g.drawString(w, x + (cell - metrics.stringWidth(w)) / 2, y + cell + text - 3);
        x += cell + PAD;
      }
      y += cell + text + PAD;
    }
    if (caption > 0) {
      g.drawString("first " + MAX_ROWS + " of " + rows.size() + " classes", PAD, y + 12);
    }
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(sheet, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String fit(String s, FontMetrics metrics, int width) {
    String t = s;
    while (t.length() > 1 && metrics.stringWidth(t) > width) {
      t = t.substring(0, t.length() - 1);
    }
    return t.equals(s) ? s : t + "…";
  }

  private static BufferedImage read(byte[] png) {
    try {
      return ImageIO.read(new ByteArrayInputStream(png));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
