package dev.usher.deploy.admin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /debug/stats}: live figures per route (requests/s, error ratio, p50, p99) computed from the same
 * Micrometer meters {@code /metrics} exposes, and the config propagation times.
 *
 * <p>Design: the meters are cumulative, like Prometheus counters and histograms. Each call takes a sample of them and
 * reports the difference to the oldest sample of the last {@link #WINDOW_NANOS}, as Prometheus's {@code rate()} and
 * {@code histogram_quantile()} would over that window. Sampling happens only when someone asks (the page polls every
 * second), so an unwatched admin port costs nothing; samples closer than {@link #MIN_SPACING_NANOS} are not kept, so
 * many pollers cannot grow the queue. The clock is injected for tests.
 */
final class DebugStats {

    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final long MIN_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private record Key(String namespace, String ingress, String service) {}

    /** Cumulative figures of one route: requests, 5xx answers, and histogram counts at each bucket bound. */
    private static final class Totals {
        long requests;
        long errors;
        double[] bounds = new double[0];
        double[] cumulative = new double[0];

        void add(HistogramSnapshot snapshot, boolean error) {
            requests += snapshot.count();
            if (error) {
                errors += snapshot.count();
            }
            CountAtBucket[] buckets = snapshot.histogramCounts();
            if (bounds.length == 0) {
                bounds = new double[buckets.length];
                cumulative = new double[buckets.length];
                for (int i = 0; i < buckets.length; i++) {
                    bounds[i] = buckets[i].bucket(TimeUnit.SECONDS);
                }
            }
            for (int i = 0; i < Math.min(buckets.length, cumulative.length); i++) {
                cumulative[i] += buckets[i].count();
            }
        }
    }

    private record Sample(long nanos, Map<Key, Totals> routes) {}

    private final MeterRegistry registry;
    private final LongSupplier nanoTime;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    DebugStats(MeterRegistry registry, LongSupplier nanoTime) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** Samples the meters now and reports the figures over the window up to now. */
    synchronized ObjectNode stats(JsonMapper mapper) {
        Sample now = sample();
        while (!samples.isEmpty() && now.nanos - samples.peekFirst().nanos > WINDOW_NANOS) {
            samples.removeFirst();
        }
        Sample base = samples.peekFirst();
        if (samples.isEmpty() || now.nanos - samples.peekLast().nanos >= MIN_SPACING_NANOS) {
            samples.addLast(now);
        }
        ObjectNode root = mapper.createObjectNode();
        double seconds = base == null ? 0 : (now.nanos - base.nanos) / 1e9;
        if (seconds > 0) {
            root.put("windowSeconds", seconds);
        } else {
            root.putNull("windowSeconds");
        }
        ArrayNode routes = root.putArray("routes");
        now.routes.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(Comparator.comparing(Key::namespace)
                        .thenComparing(Key::ingress)
                        .thenComparing(Key::service)))
                .forEach(entry -> route(
                        routes.addObject(),
                        entry.getKey(),
                        entry.getValue(),
                        seconds > 0 ? base.routes.get(entry.getKey()) : null,
                        seconds));
        root.set("propagation", propagation(mapper));
        return root;
    }

    private static void route(ObjectNode node, Key key, Totals now, Totals before, double seconds) {
        node.put("namespace", key.namespace)
                .put("ingress", key.ingress)
                .put("service", key.service)
                .put("requests", now.requests);
        if (seconds <= 0) {
            node.putNull("rps").putNull("errorRatio").putNull("p50").putNull("p99");
            return;
        }
        long requests = now.requests - (before == null ? 0 : before.requests);
        long errors = now.errors - (before == null ? 0 : before.errors);
        node.put("rps", requests / seconds);
        double[] delta = now.cumulative.clone();
        if (before != null && before.cumulative.length == delta.length) {
            for (int i = 0; i < delta.length; i++) {
                delta[i] -= before.cumulative[i];
            }
        }
        if (requests == 0) {
            node.putNull("errorRatio").putNull("p50").putNull("p99");
        } else {
            node.put("errorRatio", (double) errors / requests);
            putQuantile(node, "p50", quantile(0.5, now.bounds, delta, requests));
            putQuantile(node, "p99", quantile(0.99, now.bounds, delta, requests));
        }
    }

    private ObjectNode propagation(JsonMapper mapper) {
        ObjectNode node = mapper.createObjectNode();
        Timer timer = registry.find("usher.config.propagation").timer();
        Gauge last = registry.find("usher.config.last.build.timestamp").gauge();
        if (last != null && last.value() > 0) {
            node.put("lastPublishEpochSeconds", last.value());
        } else {
            node.putNull("lastPublishEpochSeconds");
        }
        if (timer == null || timer.count() == 0) {
            node.put("changes", 0).putNull("recentMaxSeconds").putNull("p50").putNull("p99");
            return node;
        }
        HistogramSnapshot snapshot = timer.takeSnapshot();
        CountAtBucket[] buckets = snapshot.histogramCounts();
        double[] bounds = new double[buckets.length];
        double[] counts = new double[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            bounds[i] = buckets[i].bucket(TimeUnit.SECONDS);
            counts[i] = buckets[i].count();
        }
        node.put("changes", snapshot.count());
        node.put("recentMaxSeconds", timer.max(TimeUnit.SECONDS));
        putQuantile(node, "p50", quantile(0.5, bounds, counts, snapshot.count()));
        putQuantile(node, "p99", quantile(0.99, bounds, counts, snapshot.count()));
        return node;
    }

    private static void putQuantile(ObjectNode node, String name, double value) {
        if (Double.isNaN(value)) {
            node.putNull(name);
        } else {
            node.put(name, value);
        }
    }

    /**
     * The {@code q} quantile of {@code total} observations whose cumulative counts at {@code bounds} are
     * {@code cumulative}, interpolated linearly inside the bucket as Prometheus's {@code histogram_quantile} does;
     * beyond the last bound it is the last bound. NaN without buckets or observations.
     */
    static double quantile(double q, double[] bounds, double[] cumulative, long total) {
        if (total <= 0 || bounds.length == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (int i = 0; i < bounds.length; i++) {
            if (cumulative[i] >= rank) {
                double inBucket = cumulative[i] - lowerCount;
                return inBucket <= 0
                        ? bounds[i]
                        : lowerBound + (bounds[i] - lowerBound) * (rank - lowerCount) / inBucket;
            }
            lowerBound = bounds[i];
            lowerCount = cumulative[i];
        }
        return bounds[bounds.length - 1];
    }

    private Sample sample() {
        Map<Key, Totals> routes = new HashMap<>();
        for (Timer timer : registry.find("usher.request.duration").timers()) {
            Key key = new Key(tag(timer, "namespace"), tag(timer, "ingress"), tag(timer, "service"));
            routes.computeIfAbsent(key, k -> new Totals())
                    .add(timer.takeSnapshot(), "5xx".equals(timer.getId().getTag("status")));
        }
        return new Sample(nanoTime.getAsLong(), routes);
    }

    private static String tag(Timer timer, String name) {
        String value = timer.getId().getTag(name);
        return value == null ? "none" : value;
    }
}
