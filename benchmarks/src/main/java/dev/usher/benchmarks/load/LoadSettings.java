package dev.usher.benchmarks.load;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one load run does: where it connects, which requests it cycles through, and how hard it pushes.
 *
 * @param address where every connection goes
 * @param requests request shapes, sent in turn (each connection starts at a different one)
 * @param connections keep-alive connections, each with at most one request in flight
 * @param warmup time sent but not counted, before {@code duration}
 * @param duration the counted window
 * @param rate total requests per second for the open-loop mode; 0 for closed-loop (as fast as responses come)
 * @param requestBodySize bytes of request body (POST when above 0, else GET)
 * @param requestTimeout a request not answered within this counts as a timeout and its connection is replaced
 * @param threads event loop threads of the client
 */
public record LoadSettings(
        InetSocketAddress address,
        List<RequestTarget> requests,
        int connections,
        Duration warmup,
        Duration duration,
        int rate,
        int requestBodySize,
        Duration requestTimeout,
        int threads) {

    public LoadSettings {
        Objects.requireNonNull(address, "address");
        requests = List.copyOf(Objects.requireNonNull(requests, "requests"));
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("requests must not be empty");
        }
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be at least 1, got " + connections);
        }
        if (rate < 0) {
            throw new IllegalArgumentException("rate must be 0 (closed-loop) or more, got " + rate);
        }
        if (requestBodySize < 0) {
            throw new IllegalArgumentException("requestBodySize must be 0 or more, got " + requestBodySize);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (duration.isNegative()
                || duration.isZero()
                || warmup.isNegative()
                || requestTimeout.isNegative()
                || requestTimeout.isZero()) {
            throw new IllegalArgumentException("duration and requestTimeout must be positive, warmup 0 or more");
        }
    }

    /** Whether requests follow a fixed schedule (open-loop) rather than each response (closed-loop). */
    public boolean openLoop() {
        return rate > 0;
    }

    /** Nanoseconds between two intended sends on one connection in the open-loop mode. */
    long intervalNanos() {
        return Math.max(1, Math.round(1e9 * connections / rate));
    }
}
