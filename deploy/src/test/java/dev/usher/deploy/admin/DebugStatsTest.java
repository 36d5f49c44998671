package dev.usher.deploy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

final class DebugStatsTest {

    private static final Duration[] BUCKETS = {
        Duration.ofMillis(1),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(100),
        Duration.ofSeconds(1),
        Duration.ofSeconds(10)
    };

    private final AdminMetrics metrics = AdminMetrics.create();
    private final MeterRegistry registry = metrics.registry();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final DebugStats stats = new DebugStats(registry, clock::get);

    @AfterEach
    void close() {
        metrics.close();
    }

    /** A request histogram as the data plane registers it (name, tags, fixed buckets), in the admin's registry. */
    private Timer requests(String service, String status) {
        return Timer.builder("usher.request.duration")
                .tags("namespace", "default", "ingress", "shop", "service", service, "method", "GET", "status", status)
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
    }

    private JsonNode route(JsonNode stats, String service) {
        return stats.get("routes")
                .valueStream()
                .filter(r -> r.get("service").asString().equals(service))
                .findFirst()
                .orElseThrow();
    }

    private void advance(Duration duration) {
        clock.addAndGet(duration.toNanos());
    }

    @Test
    void quantile_interpolatesInsideTheBucket_asHistogramQuantileDoes() {
        double[] bounds = {0.001, 0.005, 0.01};

        assertThat(DebugStats.quantile(0.5, bounds, new double[] {0, 0, 100}, 100))
                .isCloseTo(0.0075, within(1e-9));
        assertThat(DebugStats.quantile(0.99, bounds, new double[] {50, 100, 100}, 100))
                .isCloseTo(0.00492, within(1e-9));
        assertThat(DebugStats.quantile(0.5, bounds, new double[] {0, 0, 0}, 10)).isEqualTo(0.01);
        assertThat(DebugStats.quantile(0.5, bounds, new double[] {0, 0, 0}, 0)).isNaN();
    }

    @Test
    void stats_firstSample_hasTotalsButNoRates() {
        requests("web", "2xx").record(3, TimeUnit.MILLISECONDS);

        JsonNode first = stats.stats(RoutesJson.MAPPER);

        assertThat(first.get("windowSeconds").isNull()).isTrue();
        assertThat(route(first, "web").get("requests").asLong()).isEqualTo(1);
        assertThat(route(first, "web").get("rps").isNull()).isTrue();
    }

    @Test
    void stats_overTheWindow_giveRequestsPerSecondErrorRatioAndPercentiles() {
        Timer ok = requests("web", "2xx");
        Timer failed = requests("web", "5xx");
        ok.record(3, TimeUnit.MILLISECONDS); // before the window: counted in the total only
        stats.stats(RoutesJson.MAPPER);

        advance(Duration.ofSeconds(2));
        for (int i = 0; i < 18; i++) {
            ok.record(7, TimeUnit.MILLISECONDS);
        }
        failed.record(500, TimeUnit.MILLISECONDS);
        failed.record(500, TimeUnit.MILLISECONDS);
        JsonNode web = route(stats.stats(RoutesJson.MAPPER), "web");

        assertThat(web.get("requests").asLong()).isEqualTo(21);
        assertThat(web.get("rps").asDouble()).isCloseTo(10.0, within(1e-9));
        assertThat(web.get("errorRatio").asDouble()).isCloseTo(0.1, within(1e-9));
        assertThat(web.get("p50").asDouble()).isBetween(0.005, 0.010);
        assertThat(web.get("p99").asDouble()).isBetween(0.1, 1.0);
    }

    @Test
    void stats_routeWithNoRequestsInTheWindow_hasZeroRateAndNoPercentiles() {
        requests("idle", "2xx").record(3, TimeUnit.MILLISECONDS);
        stats.stats(RoutesJson.MAPPER);
        advance(Duration.ofSeconds(1));

        JsonNode idle = route(stats.stats(RoutesJson.MAPPER), "idle");

        assertThat(idle.get("rps").asDouble()).isZero();
        assertThat(idle.get("errorRatio").isNull()).isTrue();
        assertThat(idle.get("p99").isNull()).isTrue();
    }

    @Test
    void stats_forgetSamplesOlderThanTheWindow() {
        Timer ok = requests("web", "2xx");
        stats.stats(RoutesJson.MAPPER);
        for (int i = 0; i < 100; i++) {
            ok.record(3, TimeUnit.MILLISECONDS);
        }
        advance(Duration.ofSeconds(6));
        stats.stats(RoutesJson.MAPPER);
        advance(Duration.ofSeconds(6));

        JsonNode now = stats.stats(RoutesJson.MAPPER);

        // The first sample (12 s old) is gone; the one 6 s ago is the base, and nothing happened since.
        assertThat(now.get("windowSeconds").asDouble()).isCloseTo(6.0, within(1e-9));
        assertThat(route(now, "web").get("rps").asDouble()).isZero();
    }

    @Test
    void stats_reportConfigPropagationFromItsHistogram() {
        Timer.builder("usher.config.propagation")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)
                .record(40, TimeUnit.MILLISECONDS);

        JsonNode propagation = stats.stats(RoutesJson.MAPPER).get("propagation");

        assertThat(propagation.get("changes").asLong()).isEqualTo(1);
        assertThat(propagation.get("recentMaxSeconds").asDouble()).isCloseTo(0.040, within(1e-6));
        assertThat(propagation.get("p99").asDouble()).isBetween(0.030, 0.060);
    }
}
