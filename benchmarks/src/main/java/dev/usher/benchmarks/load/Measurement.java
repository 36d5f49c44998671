package dev.usher.benchmarks.load;

import java.util.Objects;

/**
 * What the load client saw in the counted window.
 *
 * @param responses complete responses (any status) that finished inside the window
 * @param seconds length of the window
 * @param latency response times: from the actual send (closed-loop) or the intended send (open-loop)
 * @param errors failures by kind
 */
public record Measurement(long responses, double seconds, Latency latency, Errors errors) {

    public Measurement {
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(errors, "errors");
    }

    /** Complete responses per second. */
    public double requestsPerSecond() {
        return seconds <= 0 ? 0 : responses / seconds;
    }
}
