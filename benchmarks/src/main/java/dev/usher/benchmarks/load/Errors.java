package dev.usher.benchmarks.load;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Failed requests by kind, counted in one window.
 *
 * @param statuses complete responses outside 2xx, by status code
 * @param connect connection attempts that failed
 * @param resets connections closed or reset by the peer while a request was in flight
 * @param timeouts requests not answered within the request timeout
 * @param other any other failure (a malformed response, for one)
 */
public record Errors(Map<Integer, Long> statuses, long connect, long resets, long timeouts, long other) {

    public Errors {
        statuses = Map.copyOf(Objects.requireNonNull(statuses, "statuses"));
    }

    /** Every failed request or connection attempt. */
    public long total() {
        return nonSuccess() + connect + resets + timeouts + other;
    }

    /** Complete responses outside 2xx. */
    public long nonSuccess() {
        return statuses.values().stream().mapToLong(Long::longValue).sum();
    }

    /** For example {@code 503x2 reset=1}; {@code none} when nothing failed. */
    public String summary() {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(statuses)
                .forEach((status, count) ->
                        text.append(status).append('x').append(count).append(' '));
        append(text, "connect", connect);
        append(text, "reset", resets);
        append(text, "timeout", timeouts);
        append(text, "other", other);
        return text.length() == 0 ? "none" : text.toString().trim();
    }

    private static void append(StringBuilder text, String name, long count) {
        if (count > 0) {
            text.append(name).append('=').append(count).append(' ');
        }
    }
}
