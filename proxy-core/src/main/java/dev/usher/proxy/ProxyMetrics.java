package dev.usher.proxy;

import dev.usher.routing.Backend;
import dev.usher.routing.Route;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * The data plane's Micrometer meters; Prometheus names in brackets.
 *
 * <ul>
 *   <li>{@code usher.requests} [{@code usher_requests_total}] and {@code usher.request.duration}
 *       [{@code usher_request_duration_seconds}]: tags namespace, ingress, service, status (class: 2xx..5xx)</li>
 *   <li>{@code usher.upstream.connect.duration} [{@code usher_upstream_connect_duration_seconds}]</li>
 *   <li>{@code usher.upstream.errors} [{@code usher_upstream_errors_total}]: tag reason</li>
 *   <li>{@code usher.connections.active} [{@code usher_connections_active}]: open client connections</li>
 *   <li>{@code usher.allocation.failures} [{@code usher_allocation_failures_total}]: connections closed because a
 *       buffer could not be allocated</li>
 * </ul>
 * Only low-cardinality tags: never a path, host or client address. Meters are cached per
 * (namespace, ingress, service), so a request costs one map lookup instead of a registry lookup.
 */
final class ProxyMetrics {

    /** Why a request failed on the origin side; the {@code reason} tag. */
    enum UpstreamError {
        CONNECT_FAILED("connect_failed"),
        CONNECT_TIMEOUT("connect_timeout"),
        POOL_EXHAUSTED("pool_exhausted"),
        NO_ENDPOINT("no_endpoint"),
        RESET("reset"),
        MALFORMED("malformed"),
        TIMEOUT("timeout");

        final String tag;

        UpstreamError(String tag) {
            this.tag = tag;
        }
    }

    private static final String NONE = "none";

    private record RouteKey(String namespace, String ingress, String service) {
    }

    private static final RouteKey UNROUTED = new RouteKey(NONE, NONE, NONE);

    private final MeterRegistry registry;
    private final ConcurrentMap<RouteKey, RouteMeters> byRoute = new ConcurrentHashMap<>();
    private final Timer connect;
    private final Map<UpstreamError, Counter> errors = new EnumMap<>(UpstreamError.class);
    private final Counter allocationFailures;

    /** @param connections the open client connections, whose size is the active-connections gauge */
    ProxyMetrics(MeterRegistry registry, Collection<?> connections) {
        this.registry = registry;
        this.connect = Timer.builder("usher.upstream.connect.duration")
                .description("Time to open a TCP connection to an origin")
                .register(registry);
        for (UpstreamError error : UpstreamError.values()) {
            errors.put(error, Counter.builder("usher.upstream.errors")
                    .description("Requests that failed on the origin side")
                    .tag("reason", error.tag)
                    .register(registry));
        }
        Gauge.builder("usher.connections.active", connections, Collection::size)
                .description("Open client connections")
                .register(registry);
        allocationFailures = Counter.builder("usher.allocation.failures")
                .description("Connections closed because a buffer could not be allocated (direct memory exhausted)")
                .register(registry);
    }

    /** The meters of {@code route}; {@code null} (a request refused before routing) counts under "none". */
    RouteMeters route(Route route) {
        Backend backend = route == null || route.isNotFound() ? null : route.backend();
        RouteKey key = route == null ? UNROUTED : new RouteKey(orNone(route.namespace()), orNone(route.ingress()),
                backend == null ? NONE : backend.ref().service());
        RouteMeters meters = byRoute.get(key);
        return meters != null ? meters : byRoute.computeIfAbsent(key, RouteMeters::new);
    }

    void connectDuration(long nanos) {
        connect.record(nanos, TimeUnit.NANOSECONDS);
    }

    void allocationFailure() {
        allocationFailures.increment();
    }

    void upstreamError(UpstreamError error) {
        errors.get(error).increment();
    }

    private static String orNone(String value) {
        return value == null || value.isEmpty() ? NONE : value;
    }

    /**
     * The request meters of one (namespace, ingress, service), created per status class on first use. Two threads
     * may race to fill a slot; both get the same meter from the registry, so the race is harmless.
     */
    final class RouteMeters {
        private final RouteKey key;
        private final Counter[] requests = new Counter[6];
        private final Timer[] durations = new Timer[6];

        private RouteMeters(RouteKey key) {
            this.key = key;
        }

        void record(int status, long nanos) {
            int cls = Math.max(1, Math.min(5, status / 100));
            Counter counter = requests[cls];
            Timer timer = durations[cls];
            if (counter == null || timer == null) {
                String statusClass = cls + "xx";
                counter = Counter.builder("usher.requests")
                        .description("Requests answered, by route and status class")
                        .tags("namespace", key.namespace, "ingress", key.ingress, "service", key.service,
                                "status", statusClass)
                        .register(registry);
                timer = Timer.builder("usher.request.duration")
                        .description("Time from request head to the last response byte")
                        .tags("namespace", key.namespace, "ingress", key.ingress, "service", key.service,
                                "status", statusClass)
                        .register(registry);
                requests[cls] = counter;
                durations[cls] = timer;
            }
            counter.increment();
            timer.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
