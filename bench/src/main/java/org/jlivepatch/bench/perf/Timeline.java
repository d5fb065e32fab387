package org.jlivepatch.bench.perf;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws the recovery timelines as one PNG (java.awt, headless): a row per configuration, the
 * apply window on the left and the revert window on the right; request rate in blue on the left
 * axis, p99 latency in red on the right axis, the command's run shaded grey.
 */
final class Timeline {

  private static final int W = 520;
  private static final int H = 170;
  private static final int PAD = 48;

  private Timeline() {}

  static void draw(List<RecoveryFigure.Run> runs, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(2 * W, runs.size() * H + 30, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    g.setColor(Color.DARK_GRAY);
    g.drawString("requests/s (blue, left axis) and p99 latency in ms (red, right axis) per 100 ms; grey: the command runs;"
        + " x: seconds from the command's start", 8, 18);
    double maxRate = 0;
    double maxP99 = 0;
    for (RecoveryFigure.Run run : runs) {
      for (long count : run.ok()) {
        maxRate = Math.max(maxRate, count * 1000.0 / RecoveryFigure.BUCKET_MS);
      }
      maxP99 = Math.max(maxP99, run.worstP99(run.applyStart() - 5000, run.revertEnd() + 10000));
    }
    for (int r = 0; r < runs.size(); r++) {
      RecoveryFigure.Run run = runs.get(r);
      panel(g, run, 0, 30 + r * H, run.applyStart(), run.applyEnd(), "apply", maxRate, maxP99);
      panel(g, run, W, 30 + r * H, run.revertStart(), run.revertEnd(), "revert", maxRate, maxP99);
    }
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  private static void panel(Graphics2D g, RecoveryFigure.Run run, int x0, int y0, double start, double end, String what,
      double maxRate, double maxP99) {
    int left = x0 + PAD;
    int right = x0 + W - PAD;
    int top = y0 + 18;
    int bottom = y0 + H - 22;
    double from = start - RecoveryFigure.BEFORE_S * 1000;
    double to = start + RecoveryFigure.AFTER_S * 1000;
    java.util.function.DoubleUnaryOperator x = t -> left + (t - from) / (to - from) * (right - left);
    g.setColor(new Color(225, 225, 225));
    g.fillRect((int) x.applyAsDouble(start), top, Math.max(1, (int) (x.applyAsDouble(end) - x.applyAsDouble(start))), bottom - top);
    g.setColor(Color.GRAY);
    g.drawRect(left, top, right - left, bottom - top);
    g.setColor(Color.BLACK);
    g.drawString(run.label() + ": " + what + Stats.f(" (%.0f ms; failed: %d)", end - start,
        run.failures()), left, y0 + 13);
    for (int s = -RecoveryFigure.BEFORE_S; s <= RecoveryFigure.AFTER_S; s += 5) {
      int px = (int) x.applyAsDouble(start + s * 1000);
      g.drawString(Integer.toString(s), px - 4, bottom + 14);
    }
    g.setColor(new Color(30, 80, 200));
    g.drawString(Stats.f("%.0f", maxRate), x0 + 4, top + 10);
    g.setColor(new Color(200, 40, 40));
    g.drawString(Stats.f("%.0f ms", maxP99), right + 4, top + 10);
    int firstBucket = (int) Math.max(0, from / RecoveryFigure.BUCKET_MS);
    int lastBucket = (int) Math.min(run.ok().length - 1, to / RecoveryFigure.BUCKET_MS);
    g.setStroke(new BasicStroke(1.5f));
    for (int series = 0; series < 2; series++) {
      g.setColor(series == 0 ? new Color(30, 80, 200) : new Color(200, 40, 40));
      int px = -1;
      int py = -1;
      for (int b = firstBucket; b < lastBucket; b++) {
        double t = (b + 0.5) * RecoveryFigure.BUCKET_MS;
        double value = series == 0 ? run.ok()[b] * 1000.0 / RecoveryFigure.BUCKET_MS / maxRate : run.p99Ms()[b] / maxP99;
        int nx = (int) x.applyAsDouble(t);
        int ny = (int) (bottom - Math.min(1, value) * (bottom - top));
        if (px >= 0) {
          g.drawLine(px, py, nx, ny);
        }
        px = nx;
        py = ny;
      }
    }
    g.setStroke(new BasicStroke(1f));
  }
}
