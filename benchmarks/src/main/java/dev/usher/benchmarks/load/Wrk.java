package dev.usher.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code wrk --latency} as a neutral second client and reads its report: requests/s, the 50 and 99 percent
 * latencies, non-2xx/3xx responses and socket errors. wrk has no warm-up and reports no p90/p99.9 by default; those
 * stay 0 in the result.
 */
final class Wrk {

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m)");
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern PERCENTILE =
            Pattern.compile("^\\s*(50|90|99)(?:\\.000)?%\\s+([\\d.]+)(us|ms|s|m)\\s*$", Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    private Wrk() {}

    /** Whether a {@code wrk} binary is on the PATH. */
    static boolean available() {
        try {
            Process p = new ProcessBuilder("wrk", "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            p.waitFor(5, TimeUnit.SECONDS);
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs wrk for {@code seconds} with one thread and returns its report as a measurement. */
    static Measurement run(String url, String host, int connections, int seconds)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(
                        "wrk",
                        "-t1",
                        "-c" + connections,
                        "-d" + seconds + "s",
                        "--latency",
                        "--timeout",
                        "10s",
                        "-H",
                        "Host: " + host,
                        url)
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("wrk did not finish");
        }
        if (process.exitValue() != 0) {
            throw new IOException("wrk failed (" + process.exitValue() + "): " + output);
        }
        return parse(output);
    }

    /** Reads a {@code wrk --latency} report. */
    static Measurement parse(String output) throws IOException {
        Matcher requests = REQUESTS.matcher(output);
        Matcher rate = RATE.matcher(output);
        if (!requests.find() || !rate.find()) {
            throw new IOException("not a wrk report: " + output);
        }
        long count = Long.parseLong(requests.group(1));
        double seconds = micros(requests.group(2), requests.group(3)) / 1e6;
        Map<Integer, Long> percentiles = new HashMap<>();
        Matcher percentile = PERCENTILE.matcher(output);
        while (percentile.find()) {
            percentiles.put(
                    Integer.parseInt(percentile.group(1)),
                    Math.round(micros(percentile.group(2), percentile.group(3))));
        }
        Map<Integer, Long> statuses = new HashMap<>();
        Matcher non2xx = NON_2XX.matcher(output);
        if (non2xx.find()) {
            statuses.put(0, Long.parseLong(non2xx.group(1))); // wrk does not say which statuses; 0 = "some"
        }
        long connect = 0;
        long resets = 0;
        long timeouts = 0;
        long other = 0;
        Matcher socket = SOCKET.matcher(output);
        if (socket.find()) {
            connect = Long.parseLong(socket.group(1));
            resets = Long.parseLong(socket.group(2));
            other = Long.parseLong(socket.group(3));
            timeouts = Long.parseLong(socket.group(4));
        }
        Latency latency = new Latency(
                count,
                percentiles.getOrDefault(50, 0L),
                percentiles.getOrDefault(90, 0L),
                percentiles.getOrDefault(99, 0L),
                0,
                0,
                0,
                List.of());
        // wrk's own rate uses its own clock; keep its count and derive the window so req/s matches its report.
        double reported = Double.parseDouble(rate.group(1));
        double window = reported > 0 ? count / reported : seconds;
        return new Measurement(count, window, latency, new Errors(statuses, connect, resets, timeouts, other));
    }

    private static double micros(String value, String unit) {
        double number = Double.parseDouble(value);
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "us" -> number;
            case "ms" -> number * 1e3;
            case "s" -> number * 1e6;
            case "m" -> number * 60e6;
            default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
    }
}
