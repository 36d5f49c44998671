package dev.usher.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * One h2load run of {@code benchmarks/h2load.sh}: a line of its {@code runs.tsv} and the request times of the run's
 * per-request log ({@code h2load --log-file}).
 *
 * @param target the target's label (usher, nginx, usher-base)
 * @param protocol h2c, h2 or https1
 * @param round 1, 2, ...
 * @param requestsPerSecond h2load's {@code finished in ..., N req/s}, NaN when it printed none
 * @param succeeded h2load's succeeded requests
 * @param cpuSeconds the proxy process's CPU over warm-up and measurement
 * @param spanSeconds warm-up plus measurement, the span the CPU was counted over
 * @param otherCores cores other processes used meanwhile (beside the proxy, the origin and h2load)
 * @param requestLog the per-request log's file name, in the same folder
 * @param micros each logged request's time, microseconds
 */
record H2loadRun(
        String target,
        String protocol,
        int round,
        double requestsPerSecond,
        long succeeded,
        double cpuSeconds,
        double spanSeconds,
        double otherCores,
        String requestLog,
        Histogram micros) {

    /** The columns of a {@code runs.tsv} line, tab-separated, in this order; lines starting with # are comments. */
    static final String COLUMNS = "target\tprotocol\tround\treq/s\tsucceeded\tcpu-s\tspan-s\tother-cores\tlog";

    H2loadRun {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(requestLog, "requestLog");
        Objects.requireNonNull(micros, "micros");
    }

    /** Parses a {@code runs.tsv} line and reads its request log from {@code dir}; empty figures become NaN or 0. */
    static H2loadRun parse(String line, Path dir) throws IOException {
        String[] f = line.split("\t", -1);
        if (f.length != 9) {
            throw new IllegalArgumentException(
                    "a runs.tsv line has 9 tab-separated columns (" + COLUMNS + "), got " + f.length + ": " + line);
        }
        return new H2loadRun(
                f[0],
                f[1],
                Integer.parseInt(f[2].trim()),
                number(f[3]),
                f[4].isBlank() ? 0 : Long.parseLong(f[4].trim()),
                number(f[5]),
                number(f[6]),
                number(f[7]),
                f[8],
                requestTimes(dir.resolve(f[8])));
    }

    private static double number(String field) {
        return field.isBlank() ? Double.NaN : Double.parseDouble(field.trim());
    }

    /**
     * The third column of an h2load request log (start time, status, request time in microseconds, tab-separated);
     * empty when the log is missing.
     */
    static Histogram requestTimes(Path log) throws IOException {
        Histogram micros = new Histogram(3);
        if (!Files.isRegularFile(log)) {
            return micros;
        }
        try (BufferedReader reader = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] columns = line.trim().split("\\s+");
                if (columns.length >= 3) {
                    micros.recordValue(Math.max(0, Long.parseLong(columns[2])));
                }
            }
        }
        return micros;
    }

    /**
     * Requests per CPU-second of the proxy: CPU was counted over warm-up and measurement, so the requests are the
     * same span's ({@code req/s x span}); NaN without CPU.
     */
    double requestsPerCpuSecond() {
        return cpuSeconds > 0 ? requestsPerSecond * spanSeconds / cpuSeconds : Double.NaN;
    }

    /** A latency percentile in milliseconds; NaN when the log had no requests. */
    double millisAt(double percentile) {
        return micros.getTotalCount() == 0 ? Double.NaN : micros.getValueAtPercentile(percentile) / 1e3;
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("target", target);
        map.put("protocol", protocol);
        map.put("round", round);
        map.put("requestsPerSecond", requestsPerSecond);
        map.put("p50Millis", millisAt(50));
        map.put("p99Millis", millisAt(99));
        map.put("p999Millis", millisAt(99.9));
        map.put("cpuSeconds", cpuSeconds);
        map.put("requestsPerCpuSecond", requestsPerCpuSecond());
        map.put("succeeded", succeeded);
        map.put("loggedRequests", micros.getTotalCount());
        map.put("otherCores", otherCores);
        map.put("requestLog", requestLog);
        return map;
    }
}
