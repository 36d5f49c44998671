package dev.usher.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * A latency distribution summarised: the usual percentiles in microseconds and a percentile curve for plots.
 *
 * @param count recorded requests
 * @param curve {@code (percentile, micros)} points from 0 up to the highest percentile the count supports
 */
public record Latency(long count, long p50, long p90, long p99, long p999, long max, double mean, List<Point> curve) {

    /** One point of the percentile curve. */
    public record Point(double percentile, long micros) {}

    /** Points per decade of {@code 1 / (1 - p)}: enough for a smooth line, small enough for JSON. */
    static final int POINTS_PER_DECADE = 20;

    public Latency {
        curve = List.copyOf(Objects.requireNonNull(curve, "curve"));
    }

    /** Summarises a histogram of microsecond values (an empty one gives zeros and an empty curve). */
    public static Latency of(Histogram micros) {
        Objects.requireNonNull(micros, "micros");
        long count = micros.getTotalCount();
        if (count == 0) {
            return new Latency(0, 0, 0, 0, 0, 0, 0, List.of());
        }
        return new Latency(
                count,
                micros.getValueAtPercentile(50),
                micros.getValueAtPercentile(90),
                micros.getValueAtPercentile(99),
                micros.getValueAtPercentile(99.9),
                micros.getMaxValue(),
                micros.getMean(),
                curve(micros));
    }

    /**
     * Percentiles spaced evenly on the {@code log10(1 / (1 - p))} axis, stopping where one sample is the whole
     * tail (beyond that every percentile is the maximum), and ending with the maximum at 100.
     */
    static List<Point> curve(Histogram micros) {
        long count = micros.getTotalCount();
        double decades = Math.min(6, Math.log10(count));
        List<Point> points = new ArrayList<>();
        int steps = (int) Math.floor(decades * POINTS_PER_DECADE);
        for (int i = 0; i <= steps; i++) {
            double percentile = 100 * (1 - Math.pow(10, -(double) i / POINTS_PER_DECADE));
            points.add(new Point(percentile, micros.getValueAtPercentile(percentile)));
        }
        points.add(new Point(100, micros.getMaxValue()));
        return points;
    }
}
