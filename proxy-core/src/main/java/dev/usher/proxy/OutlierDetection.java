package dev.usher.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * Passive health checking (Envoy's outlier detection): an endpoint that fails {@code consecutiveFailures} requests in
 * a row (connect failed, connection reset, 502/503/504 from the origin) is skipped by the load balancer for
 * {@code baseEjectionTime} times the number of times it was ejected (at most 10 times). Ejection state is kept per
 * event loop.
 *
 * @param consecutiveFailures failures in a row that eject an endpoint (5, Envoy's {@code consecutive_5xx});
 *     {@code 0} turns outlier detection off
 * @param baseEjectionTime how long the first ejection lasts (30 s, Envoy's {@code base_ejection_time})
 * @param maxEjectionPercent the most endpoints of a backend ejected at once, in percent of its endpoints, rounded
 *     down but at least one while another endpoint is not ejected (10, Envoy's {@code max_ejection_percent})
 */
public record OutlierDetection(int consecutiveFailures, Duration baseEjectionTime, int maxEjectionPercent) {

    /** Envoy's defaults: 5 failures, 30 s, 10 %. */
    public static final OutlierDetection DEFAULTS = new OutlierDetection(5, Duration.ofSeconds(30), 10);

    /** No endpoint is ever ejected. */
    public static final OutlierDetection OFF = new OutlierDetection(0, Duration.ofSeconds(30), 10);

    /** An ejection lasts at most this many base ejection times (Envoy's {@code max_ejection_time} 300 s = 10 x 30 s). */
    static final int MAX_MULTIPLIER = 10;

    public OutlierDetection {
        if (consecutiveFailures < 0) {
            throw new IllegalArgumentException(
                    "outlier consecutiveFailures must be >= 0 (0 = off): " + consecutiveFailures);
        }
        Objects.requireNonNull(baseEjectionTime, "baseEjectionTime");
        if (baseEjectionTime.isNegative() || baseEjectionTime.isZero()) {
            throw new IllegalArgumentException("outlier baseEjectionTime must be positive: " + baseEjectionTime);
        }
        if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
            throw new IllegalArgumentException(
                    "outlier maxEjectionPercent must be within 0..100: " + maxEjectionPercent);
        }
    }

    /** Whether endpoints are ever ejected. */
    public boolean enabled() {
        return consecutiveFailures > 0;
    }
}
