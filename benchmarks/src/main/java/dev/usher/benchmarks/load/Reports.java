package dev.usher.benchmarks.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints results and writes {@code results.json} and {@code latency.svg} into an output folder. */
final class Reports {

    private Reports() {}

    /** One human line per result. */
    static void print(PrintStream out, LoadResult result) {
        Measurement m = result.measurement();
        Latency l = m.latency();
        out.printf(
                Locale.ROOT,
                "%-10s %-11s c=%-5d %9.0f req/s  p50 %7.3f  p90 %7.3f  p99 %7.3f  p99.9 %7.3f  "
                        + "max %8.3f ms  errors: %s%s%s%n",
                result.target(),
                result.client(),
                result.connections(),
                m.requestsPerSecond(),
                l.p50() / 1e3,
                l.p90() / 1e3,
                l.p99() / 1e3,
                l.p999() / 1e3,
                l.max() / 1e3,
                m.errors().summary(),
                Double.isNaN(result.cpuSeconds())
                        ? ""
                        : String.format(Locale.ROOT, "  cpu %.3f s/1k req", result.cpuSecondsPer1000()),
                result.peakRssBytes() < 0
                        ? ""
                        : String.format(Locale.ROOT, "  peak RSS %.1f MiB", result.peakRssBytes() / 1048576.0));
    }

    /** Writes {@code results.json} (settings, then every result) and {@code latency.svg} (one line per result). */
    static void write(
            Path dir, String title, Map<String, Object> settings, List<LoadResult> results, Map<String, Object> extra)
            throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("title", title);
        json.put("settings", settings);
        json.putAll(extra);
        json.put("results", results.stream().map(LoadResult::toMap).toList());
        Files.writeString(dir.resolve("results.json"), Json.write(json), StandardCharsets.UTF_8);
        List<PercentilePlot.Series> series = new ArrayList<>();
        for (LoadResult result : results) {
            if (!result.measurement().latency().curve().isEmpty()) {
                series.add(new PercentilePlot.Series(
                        result.target() + " c=" + result.connections()
                                + (result.rate() > 0 ? " " + result.rate() + "/s" : ""),
                        result.measurement().latency().curve()));
            }
        }
        Files.writeString(dir.resolve("latency.svg"), PercentilePlot.svg(title, series), StandardCharsets.UTF_8);
    }
}
