package dev.usher.proxy;

import dev.usher.routing.BackendRef;
import dev.usher.routing.MeterKey;
import dev.usher.routing.Route;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The data plane's Micrometer meters; Prometheus names in brackets.
 *
 * <ul>
 *   <li>{@code usher.requests} [{@code usher_requests_total}] and {@code usher.request.duration}
 *       [{@code usher_request_duration_seconds}, a histogram]: tags namespace, ingress, service, method (class),
 *       status (class: 1xx..5xx), protocol ({@code HTTP/1.1}, which counts HTTP/1.0 too, or {@code HTTP/2})</li>
 *   <li>{@code usher.upstream.duration} [{@code usher_upstream_duration_seconds}, a histogram]: from choosing an
 *       endpoint to the origin's response head (connect, request upload and the origin's think time); tags
 *       namespace, ingress, service</li>
 *   <li>{@code usher.request.bytes} / {@code usher.response.bytes} [{@code usher_request_bytes_total},
 *       {@code usher_response_bytes_total}]: body bytes from clients and to clients; tags namespace, ingress,
 *       service</li>
 *   <li>{@code usher.upstream.connect.duration} [{@code usher_upstream_connect_duration_seconds}]</li>
 *   <li>{@code usher.upstream.errors} [{@code usher_upstream_errors_total}]: tag reason</li>
 *   <li>{@code usher.connections.active} [{@code usher_connections_active}]: open client connections</li>
 *   <li>{@code usher.allocation.failures} [{@code usher_allocation_failures_total}]: connections closed because a
 *       buffer could not be allocated</li>
 *   <li>{@code usher.endpoint.ejections} [{@code usher_endpoint_ejections_total}]: endpoints ejected by passive
 *       health checking (one count per event loop that ejects it); tags namespace, service, reason
 *       ({@code connect_failed}, {@code reset}, {@code gateway_error})</li>
 *   <li>{@code usher.retries} [{@code usher_retries_total}]: attempts after the first, by the failure that caused
 *       them; tags namespace, service, reason ({@code error}, {@code timeout}, {@code invalid_header},
 *       {@code http_5xx}/{@code http_4xx} as configured, {@code stale_connection}, {@code refused_stream})</li>
 *   <li>{@code usher.retry.budget.exhausted} [{@code usher_retry_budget_exhausted_total}]: retries the policy allowed
 *       but the backend's retry budget refused; tags namespace, service</li>
 *   <li>{@code usher.rate.limited} [{@code usher_rate_limited_total}]: requests refused by an Ingress's
 *       {@code limit-*} annotations; tags namespace, ingress, limit ({@code rps}, {@code rpm}, {@code connections})</li>
 *   <li>{@code usher.mirror.requests} [{@code usher_mirror_requests_total}]: mirror requests of ingress-nginx's
 *       {@code mirror-target} by outcome; tag result ({@code answered}: a response head came, whatever its status;
 *       {@code failed}: no connection, reset, timeout or a bad expansion; {@code dropped}: not sent, the event loop's
 *       in-flight cap was reached)</li>
 * </ul>
 * Only low-cardinality tags: never a path, host or client address; a method outside the common eight counts as
 * {@code other}. The histograms have fixed buckets from 1 ms to 10 s (13 plus {@code +Inf}), enough for
 * {@code histogram_quantile} and SLO alerts without a series per percentile. Meters are cached per
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

    /** What became of a mirror request; the {@code result} tag. */
    enum MirrorResult {
        ANSWERED("answered"),
        FAILED("failed"),
        DROPPED("dropped");

        final String tag;

        MirrorResult(String tag) {
            this.tag = tag;
        }
    }

    /** Bucket upper bounds of the latency histograms: 1 ms to 10 s in 1-2.5-5 steps. */
    static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10),
    };

    /** The {@code method} tag values; the last one takes every other method. */
    static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"};

    private static final String NONE = MeterKey.NONE;

    private record LimitKey(String namespace, String ingress, RateLimiter.Limit limit) {}

    private final MeterRegistry registry;
    private final ConcurrentMap<MeterKey, RouteMeters> byRoute = new ConcurrentHashMap<>();
    private final ConcurrentMap<LimitKey, Counter> rateLimited = new ConcurrentHashMap<>();
    private final Timer connect;
    private final Map<UpstreamError, Counter> errors = new EnumMap<>(UpstreamError.class);
    private final Counter allocationFailures;
    private final Counter passwordsPassed;
    private final Counter passwordsFailed;
    private final Counter passwordsRefused;
    private final Map<MirrorResult, Counter> mirrors = new EnumMap<>(MirrorResult.class);

    /** @param connections the open client connections, whose size is the active-connections gauge */
    ProxyMetrics(MeterRegistry registry, Collection<?> connections) {
        this.registry = registry;
        this.connect = Timer.builder("usher.upstream.connect.duration")
                .description("Time to open a TCP connection to an origin")
                .register(registry);
        for (UpstreamError error : UpstreamError.values()) {
            errors.put(
                    error,
                    Counter.builder("usher.upstream.errors")
                            .description("Requests that failed on the origin side")
                            .tag("reason", error.tag)
                            .register(registry));
        }
        Gauge.builder("usher.connections.active", connections, Collection::size)
                .description("Open client connections")
                .register(registry);
        for (MirrorResult result : MirrorResult.values()) {
            mirrors.put(
                    result,
                    Counter.builder("usher.mirror.requests")
                            .description("Mirror requests (mirror-target) by outcome")
                            .tag("result", result.tag)
                            .register(registry));
        }
        allocationFailures = Counter.builder("usher.allocation.failures")
                .description("Connections closed because a buffer could not be allocated (direct memory exhausted)")
                .register(registry);
        passwordsPassed = passwordChecks(registry, "passed");
        passwordsFailed = passwordChecks(registry, "failed");
        passwordsRefused = passwordChecks(registry, "refused");
    }

    private static Counter passwordChecks(MeterRegistry registry, String result) {
        return Counter.builder("usher.password.checks")
                .description("Basic auth bcrypt checks: passed, failed, or refused with a 503 (too many under way,"
                        + " for the proxy or for one client: a password-guessing flood shows here)")
                .tag("result", result)
                .register(registry);
    }

    /** A bcrypt check ran ({@code passed} or not), or was refused before it ran ({@code null}). */
    void passwordCheck(@Nullable Boolean passed) {
        (passed == null ? passwordsRefused : passed ? passwordsPassed : passwordsFailed).increment();
    }

    /** The meters of {@code route}; {@code null} (a request refused before routing) counts under "none". */
    RouteMeters route(@Nullable Route route) {
        MeterKey key = route == null ? MeterKey.UNROUTED : route.meterKey(); // built with the snapshot
        RouteMeters meters = byRoute.get(key);
        return meters != null ? meters : byRoute.computeIfAbsent(key, RouteMeters::new);
    }

    void connectDuration(long nanos) {
        connect.record(nanos, TimeUnit.NANOSECONDS);
    }

    void allocationFailure() {
        allocationFailures.increment();
    }

    /** Ejections are rare: the registry's own lookup is cheap enough, no cache. */
    void endpointEjected(BackendRef backend, String reason) {
        backendCounter(
                        "usher.endpoint.ejections",
                        "Endpoints ejected by passive health checking (outlier detection), per event loop",
                        backend,
                        reason)
                .increment();
    }

    /** One retry of a request to {@code backend}, caused by {@code reason}; retries are rarer still than errors. */
    void retry(BackendRef backend, String reason) {
        backendCounter(
                        "usher.retries",
                        "Attempts after the first, by the failure of the attempt before",
                        backend,
                        reason)
                .increment();
    }

    /** A retry the policy allowed and the retry budget of {@code backend} refused. */
    void retryBudgetExhausted(BackendRef backend) {
        backendCounter(
                        "usher.retry.budget.exhausted",
                        "Retries refused because the backend's retry budget was spent",
                        backend,
                        null)
                .increment();
    }

    private Counter backendCounter(String name, String description, BackendRef backend, @Nullable String reason) {
        Counter.Builder b = Counter.builder(name)
                .description(description)
                .tag("namespace", backend.namespace())
                .tag("service", backend.service());
        return (reason == null ? b : b.tag("reason", reason)).register(registry);
    }

    /** A request of the Ingress {@code namespace/ingress} refused by its {@code limit}: cached, as under attack it is hot. */
    void rateLimited(String namespace, String ingress, RateLimiter.Limit limit) {
        LimitKey key = new LimitKey(orNone(namespace), orNone(ingress), limit);
        Counter counter = rateLimited.get(key);
        if (counter == null) {
            counter = rateLimited.computeIfAbsent(key, k -> Counter.builder("usher.rate.limited")
                    .description("Requests refused by an Ingress's limit-rps, limit-rpm or limit-connections")
                    .tags("namespace", k.namespace(), "ingress", k.ingress(), "limit", k.limit().tag)
                    .register(registry));
        }
        counter.increment();
    }

    void mirror(MirrorResult result) {
        Objects.requireNonNull(mirrors.get(result), "a counter per result").increment();
    }

    void upstreamError(UpstreamError error) {
        Objects.requireNonNull(errors.get(error), "a counter per error").increment();
    }

    private static String orNone(@Nullable String value) {
        return value == null || value.isEmpty() ? NONE : value;
    }

    /** Index into {@link #METHODS}; a switch on the name, no allocation. */
    static int methodIndex(String method) {
        return switch (method) {
            case "GET" -> 0;
            case "HEAD" -> 1;
            case "POST" -> 2;
            case "PUT" -> 3;
            case "PATCH" -> 4;
            case "DELETE" -> 5;
            case "OPTIONS" -> 6;
            default -> 7;
        };
    }

    /**
     * The request meters of one (namespace, ingress, service): the per-route ones at once, the per (method, status
     * class) ones on first use. Two threads may race to fill a slot; both get the same meter from the registry, so
     * the race is harmless.
     */
    final class RouteMeters {
        private final MeterKey key;
        private final Counter[] requests = new Counter[METHODS.length * 6 * 2];
        private final Timer[] durations = new Timer[METHODS.length * 6 * 2];
        private final Timer upstream;
        private final Counter bytesIn;
        private final Counter bytesOut;

        private RouteMeters(MeterKey key) {
            this.key = key;
            this.upstream = Timer.builder("usher.upstream.duration")
                    .description("Time from choosing an endpoint to the origin's response head")
                    .tags("namespace", key.namespace(), "ingress", key.ingress(), "service", key.service())
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry);
            this.bytesIn = Counter.builder("usher.request.bytes")
                    .baseUnit(BaseUnits.BYTES)
                    .description("Request body bytes received from clients")
                    .tags("namespace", key.namespace(), "ingress", key.ingress(), "service", key.service())
                    .register(registry);
            this.bytesOut = Counter.builder("usher.response.bytes")
                    .baseUnit(BaseUnits.BYTES)
                    .description("Response body bytes sent to clients")
                    .tags("namespace", key.namespace(), "ingress", key.ingress(), "service", key.service())
                    .register(registry);
        }

        /**
         * Records one finished request.
         *
         * @param upstreamNanos endpoint chosen to response head, or a negative value when no origin answered
         */
        void record(
                String method,
                boolean http2,
                int status,
                long nanos,
                long upstreamNanos,
                long requestBytes,
                long responseBytes) {
            int cls = Math.max(1, Math.min(5, status / 100));
            int m = methodIndex(method);
            int slot = (m * 6 + cls) * 2 + (http2 ? 1 : 0);
            Counter counter = requests[slot];
            Timer timer = durations[slot];
            if (counter == null || timer == null) {
                String statusClass = cls + "xx";
                String protocol = http2 ? "HTTP/2" : "HTTP/1.1";
                counter = Counter.builder("usher.requests")
                        .description("Requests answered, by route, method and status class")
                        .tags(
                                "namespace",
                                key.namespace(),
                                "ingress",
                                key.ingress(),
                                "service",
                                key.service(),
                                "method",
                                METHODS[m],
                                "status",
                                statusClass,
                                "protocol",
                                protocol)
                        .register(registry);
                timer = Timer.builder("usher.request.duration")
                        .description("Time from request head to the last response byte")
                        .tags(
                                "namespace",
                                key.namespace(),
                                "ingress",
                                key.ingress(),
                                "service",
                                key.service(),
                                "method",
                                METHODS[m],
                                "status",
                                statusClass,
                                "protocol",
                                protocol)
                        .serviceLevelObjectives(LATENCY_BUCKETS)
                        .register(registry);
                requests[slot] = counter;
                durations[slot] = timer;
            }
            counter.increment();
            timer.record(nanos, TimeUnit.NANOSECONDS);
            if (upstreamNanos >= 0) {
                upstream.record(upstreamNanos, TimeUnit.NANOSECONDS);
            }
            if (requestBytes > 0) {
                bytesIn.increment(requestBytes);
            }
            if (responseBytes > 0) {
                bytesOut.increment(responseBytes);
            }
        }
    }
}
