package dev.usher.benchmarks.load;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The load knobs every command shares. */
final class LoadOptions {

    @Option(
            names = {"-c", "--connections"},
            paramLabel = "N",
            defaultValue = "50",
            description = "Keep-alive connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(
            names = {"-d", "--duration"},
            paramLabel = "DURATION",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "Counted window (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(
            names = "--warmup",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Load sent before counting starts (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(
            names = "--rate",
            paramLabel = "REQ_PER_S",
            defaultValue = "0",
            description = "Open-loop total rate with coordinated-omission-corrected latency; 0 = closed-loop "
                    + "(default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(
            names = "--body-size",
            paramLabel = "BYTES",
            defaultValue = "0",
            description = "Request body size; above 0 sends POST (default: ${DEFAULT-VALUE}).")
    int bodySize;

    @Option(
            names = "--response-size",
            paramLabel = "BYTES",
            defaultValue = "0",
            description = "Pad the echo origin's replies to at least this size (default: ${DEFAULT-VALUE}, "
                    + "about 400 bytes of JSON).")
    long responseSize;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "Request timeout (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "1",
            description = "Client event loop threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Folder for results.json and latency.svg (default: benchmarks/target/<command>-<time>).")
    Path out;

    LoadSettings settings(InetSocketAddress address, List<RequestTarget> requests, int connections) {
        return new LoadSettings(address, requests, connections, warmup, duration, rate, bodySize, timeout, threads);
    }

    /** Appends {@code ?size=N} to each path when a response size is asked of a remote echo origin. */
    List<RequestTarget> sized(List<RequestTarget> requests) {
        if (responseSize <= 0) {
            return requests;
        }
        return requests.stream()
                .map(r -> new RequestTarget(
                        r.host(), r.path() + (r.path().contains("?") ? "&" : "?") + "size=" + responseSize))
                .toList();
    }

    Path outputDir(String command) {
        return out != null
                ? out
                : Path.of(
                        "benchmarks",
                        "target",
                        command + "-"
                                + LocalDateTime.now(ZoneId.systemDefault())
                                        .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    Map<String, Object> describe() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("connections", connections);
        map.put("warmupSeconds", warmup.toMillis() / 1e3);
        map.put("durationSeconds", duration.toMillis() / 1e3);
        map.put("rate", rate);
        map.put("requestBodyBytes", bodySize);
        map.put("responseSizeBytes", responseSize);
        map.put("clientThreads", threads);
        return map;
    }
}
