package dev.usher.benchmarks.load;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One measured run against one target, with the target process's resource use when it is known.
 *
 * @param target the target's label (usher, nginx, ...)
 * @param client which client measured it (usher-bench or wrk)
 * @param connections keep-alive connections used
 * @param rate open-loop request rate, 0 for closed-loop
 * @param measurement what the client saw
 * @param cpuSeconds CPU seconds the target process used in the counted window, NaN when unknown
 * @param peakRssBytes the target process's peak RSS at the end of the run, -1 when unknown
 */
public record LoadResult(
        String target,
        String client,
        int connections,
        int rate,
        Measurement measurement,
        double cpuSeconds,
        long peakRssBytes) {

    public LoadResult {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(measurement, "measurement");
    }

    /** CPU seconds of the target per 1,000 responses; NaN when unknown or nothing was answered. */
    public double cpuSecondsPer1000() {
        return measurement.responses() == 0 ? Double.NaN : cpuSeconds * 1000 / measurement.responses();
    }

    /** The result as JSON-ready maps (times in microseconds, sizes in bytes). */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("target", target);
        map.put("client", client);
        map.put("connections", connections);
        map.put("rate", rate);
        map.put("seconds", measurement.seconds());
        map.put("responses", measurement.responses());
        map.put("requestsPerSecond", measurement.requestsPerSecond());
        Latency latency = measurement.latency();
        Map<String, Object> micros = new LinkedHashMap<>();
        micros.put("p50", latency.p50());
        micros.put("p90", latency.p90());
        micros.put("p99", latency.p99());
        micros.put("p99.9", latency.p999());
        micros.put("max", latency.max());
        micros.put("mean", latency.mean());
        map.put("latencyMicros", micros);
        Errors errors = measurement.errors();
        Map<String, Object> errorMap = new LinkedHashMap<>();
        Map<String, Object> statuses = new TreeMap<>();
        errors.statuses().forEach((status, count) -> statuses.put(Integer.toString(status), count));
        errorMap.put("statuses", statuses);
        errorMap.put("connect", errors.connect());
        errorMap.put("resets", errors.resets());
        errorMap.put("timeouts", errors.timeouts());
        errorMap.put("other", errors.other());
        map.put("errors", errorMap);
        map.put("cpuSeconds", cpuSeconds);
        map.put("cpuSecondsPer1000", cpuSecondsPer1000());
        map.put("peakRssBytes", peakRssBytes < 0 ? null : peakRssBytes);
        // [percentile, micros] pairs: enough to redraw the plot
        map.put(
                "percentileCurve",
                latency.curve().stream()
                        .map(point -> List.of(point.percentile(), point.micros()))
                        .toList());
        return map;
    }
}
