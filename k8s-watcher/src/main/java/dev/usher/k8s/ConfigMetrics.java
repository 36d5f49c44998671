package dev.usher.k8s;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Configuration metrics, as Prometheus shows them: {@code usher_config_propagation_seconds} (histogram, from the
 * moment a change was received to the moment its snapshot or endpoints were published),
 * {@code usher_config_builds_total{kind="routes"|"endpoints"}} and {@code usher_config_last_build_timestamp_seconds}.
 */
final class ConfigMetrics {

    private final Timer propagation;
    private final Counter routeBuilds;
    private final Counter endpointBuilds;
    private final AtomicLong lastBuildMillis = new AtomicLong();

    ConfigMetrics(MeterRegistry registry) {
        this.propagation = Timer.builder("usher.config.propagation")
                .description("Time from receiving a Kubernetes change to publishing it")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        this.routeBuilds = Counter.builder("usher.config.builds")
                .tag("kind", "routes")
                .description("Routing snapshots published")
                .register(registry);
        this.endpointBuilds = Counter.builder("usher.config.builds")
                .tag("kind", "endpoints")
                .description("Endpoint-only updates published")
                .register(registry);
        Gauge.builder("usher.config.last.build.timestamp", lastBuildMillis, ms -> ms.get() / 1000.0)
                .description("Wall-clock time of the last publish")
                .baseUnit("seconds")
                .register(registry);
    }

    void routesPublished(long receivedNanos) {
        routeBuilds.increment();
        published(receivedNanos);
    }

    void endpointsPublished(long receivedNanos) {
        endpointBuilds.increment();
        published(receivedNanos);
    }

    private void published(long receivedNanos) {
        lastBuildMillis.set(System.currentTimeMillis());
        if (receivedNanos != 0) {
            propagation.record(Math.max(0, System.nanoTime() - receivedNanos), TimeUnit.NANOSECONDS);
        }
    }
}
