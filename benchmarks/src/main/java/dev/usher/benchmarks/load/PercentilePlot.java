package dev.usher.benchmarks.load;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Draws latency-by-percentile curves as a standalone SVG: one line per target, the percentile axis on the
 * {@code log10(1 / (1 - p))} scale (so 90, 99, 99.9 % are evenly spaced, as HdrHistogram plots do), latency in
 * milliseconds on a linear axis from zero.
 */
public final class PercentilePlot {

    /** One line of the plot. */
    public record Series(String label, List<Latency.Point> points) {
        public Series {
            Objects.requireNonNull(label, "label");
            points = List.copyOf(Objects.requireNonNull(points, "points"));
        }
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final int LEFT = 70;
    private static final int RIGHT = 230;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final String[] COLORS = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
    };

    private PercentilePlot() {}

    /** The percentile's position on the x axis: {@code log10(1 / (1 - p / 100))}; 0 for the median's left end. */
    static double axis(double percentile) {
        return Math.log10(1 / (1 - percentile / 100));
    }

    /** The SVG document; the maximum (percentile 100) points are left out, as the axis cannot reach them. */
    public static String svg(String title, List<Series> series) {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(series, "series");
        double maxX = 1;
        double maxMillis = 0;
        for (Series line : series) {
            for (Latency.Point point : line.points()) {
                if (point.percentile() < 100) {
                    maxX = Math.max(maxX, axis(point.percentile()));
                    maxMillis = Math.max(maxMillis, point.micros() / 1e3);
                }
            }
        }
        int decades = (int) Math.ceil(maxX - 1e-9);
        double step = niceStep(Math.max(maxMillis, 0.001) / 5);
        double top = Math.ceil(Math.max(maxMillis, 0.001) / step) * step;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n<svg xmlns=\"http://www.w3.org"
                        + "/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
                        + "font-size=\"12\">%n",
                WIDTH,
                HEIGHT,
                WIDTH,
                HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(
                Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", LEFT, escape(title)));
        for (int d = 0; d <= decades; d++) {
            double x = x(d, decades);
            svg.append(line(x, TOP, x, HEIGHT - BOTTOM, "#dddddd"));
            svg.append(text(x, HEIGHT - BOTTOM + 18, "middle", percentLabel(d)));
        }
        for (double v = 0; v <= top + step / 2; v += step) {
            double y = y(v, top);
            svg.append(line(LEFT, y, WIDTH - RIGHT, y, "#dddddd"));
            svg.append(text(LEFT - 6, y + 4, "end", millisLabel(v, step)));
        }
        svg.append(text((LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 12, "middle", "percentile"));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" "
                        + "text-anchor=\"middle\">latency (ms)</text>%n",
                (TOP + HEIGHT - BOTTOM) / 2,
                (TOP + HEIGHT - BOTTOM) / 2));
        for (int i = 0; i < series.size(); i++) {
            Series line = series.get(i);
            String color = COLORS[i % COLORS.length];
            StringBuilder points = new StringBuilder();
            for (Latency.Point point : line.points()) {
                if (point.percentile() < 100) {
                    points.append(String.format(
                            Locale.ROOT,
                            "%.1f,%.1f ",
                            x(axis(point.percentile()), decades),
                            y(point.micros() / 1e3, top)));
                }
            }
            svg.append(String.format(
                    Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" " + "points=\"%s\"/>%n",
                    color,
                    points.toString().trim()));
            double legendY = TOP + 10 + i * 20;
            svg.append(line(WIDTH - RIGHT + 15, legendY, WIDTH - RIGHT + 40, legendY, color));
            svg.append(text(WIDTH - RIGHT + 46, legendY + 4, "start", line.label()));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" " + "stroke=\"#444444\"/>%n</svg>%n",
                LEFT,
                TOP,
                WIDTH - LEFT - RIGHT,
                HEIGHT - TOP - BOTTOM));
        return svg.toString();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code rough}. */
    static double niceStep(double rough) {
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        for (double factor : new double[] {1, 2, 5, 10}) {
            if (factor * power >= rough) {
                return factor * power;
            }
        }
        return 10 * power;
    }

    /** {@code 0%}, {@code 90%}, {@code 99%}, {@code 99.9%}, ... for decade 0, 1, 2, 3, ... */
    static String percentLabel(int decade) {
        if (decade < 2) {
            return decade == 0 ? "0%" : "90%";
        }
        return "99" + (decade > 2 ? "." + "9".repeat(decade - 2) : "") + "%";
    }

    private static String millisLabel(double value, double step) {
        return step >= 1
                ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%." + (int) Math.ceil(-Math.log10(step)) + "f", value);
    }

    private static double x(double axis, int decades) {
        return LEFT + axis / decades * (WIDTH - LEFT - RIGHT);
    }

    private static double y(double millis, double top) {
        return HEIGHT - BOTTOM - millis / top * (HEIGHT - TOP - BOTTOM);
    }

    private static String line(double x1, double y1, double x2, double y2, String color) {
        return String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                x1,
                y1,
                x2,
                y2,
                color);
    }

    private static String text(double x, double y, String anchor, String content) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>%n",
                x,
                y,
                anchor,
                escape(content));
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
