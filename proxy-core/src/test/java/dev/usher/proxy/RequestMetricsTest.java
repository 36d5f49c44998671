package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The request meters operators alert on: a latency histogram, upstream latency, bytes, bounded method tags. */
final class RequestMetricsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final ProxyFixture fixture = new ProxyFixture(1, ProxySettings.defaults());

    @AfterEach
    void stop() {
        fixture.close();
    }

    private HttpResponse<String> send(String method, String host, String path, String body) throws Exception {
        return fixture.client.send(
                HttpRequest.newBuilder(fixture.uri(path))
                        .header("Host", host)
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Timer requestTimer(String service, String method, String status) {
        return fixture.registry
                .find("usher.request.duration")
                .tags(
                        "namespace",
                        "default",
                        "ingress",
                        "app-ingress",
                        "service",
                        service,
                        "method",
                        method,
                        "status",
                        status)
                .timer();
    }

    @Test
    void requestDuration_isAHistogramWithBucketsFromOneMillisecondToTenSeconds() throws Exception {
        assertThat(send("GET", "app.test", "/", null).statusCode()).isEqualTo(200);

        await().atMost(PATIENCE)
                .until(() -> requestTimer("app", "GET", "2xx") != null
                        && requestTimer("app", "GET", "2xx").count() == 1);
        CountAtBucket[] buckets =
                requestTimer("app", "GET", "2xx").takeSnapshot().histogramCounts();

        assertThat(Arrays.stream(buckets)
                        .mapToDouble(b -> b.bucket(TimeUnit.MILLISECONDS))
                        .toArray())
                .containsExactly(1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000);
        assertThat(buckets[buckets.length - 1].count()).isEqualTo(1.0);
    }

    @Test
    void aRequestNoRuleMatches_countsUnderNone_besideTheRoutedOnes() throws Exception {
        assertThat(send("GET", "app.test", "/", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "nobody.test", "/", null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "nobody.test", "/", null).statusCode()).isEqualTo(404);

        await().atMost(PATIENCE).until(() -> requests("none", "none", "none", "4xx") == 2.0);
        await().atMost(PATIENCE).until(() -> requests("default", "app-ingress", "app", "2xx") == 1.0);
        assertThat(requests("none", "none", "none", "2xx")).isZero();
    }

    private double requests(String namespace, String ingress, String service, String status) {
        Counter counter = fixture.registry
                .find("usher.requests")
                .tags("namespace", namespace, "ingress", ingress, "service", service, "method", "GET", "status", status)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void post_countsItsMethodBodyBytesAndUpstreamLatency() throws Exception {
        HttpResponse<String> response = send("POST", "app.test", "/upload", "hello, origin");

        assertThat(response.statusCode()).isEqualTo(200);
        await().atMost(PATIENCE)
                .until(() -> requestTimer("app", "POST", "2xx") != null
                        && requestTimer("app", "POST", "2xx").count() == 1);
        Timer upstream = fixture.registry
                .get("usher.upstream.duration")
                .tags("service", "app")
                .timer();
        Counter in = fixture.registry
                .get("usher.request.bytes")
                .tags("service", "app")
                .counter();
        Counter out = fixture.registry
                .get("usher.response.bytes")
                .tags("service", "app")
                .counter();

        assertThat(upstream.count()).isEqualTo(1);
        assertThat(upstream.takeSnapshot().histogramCounts()).hasSize(ProxyMetrics.LATENCY_BUCKETS.length);
        assertThat(upstream.totalTime(TimeUnit.NANOSECONDS))
                .isLessThanOrEqualTo(requestTimer("app", "POST", "2xx").totalTime(TimeUnit.NANOSECONDS));
        assertThat(in.count()).isEqualTo("hello, origin".length());
        assertThat(out.count()).isEqualTo(response.body().length());
    }

    @Test
    void unusualMethod_isTaggedOther_soTheMethodTagStaysBounded() throws Exception {
        send("PROPFIND", "app.test", "/dav", null);
        send("BREW", "app.test", "/pot", null);

        await().atMost(PATIENCE)
                .until(() -> fixture.registry.find("usher.requests").tags("method", "other").counters().stream()
                                .mapToDouble(Counter::count)
                                .sum()
                        == 2);
        assertThat(fixture.registry.find("usher.requests").tagKeys("method").counters())
                .allSatisfy(
                        c -> assertThat(ProxyMetrics.METHODS).contains(c.getId().getTag("method")));
    }

    @Test
    void requestNoOriginAnswered_hasNoUpstreamLatency() throws Exception {
        assertThat(send("GET", "empty.test", "/", null).statusCode()).isEqualTo(503);

        await().atMost(PATIENCE)
                .until(() -> requestTimer("empty", "GET", "5xx") != null
                        && requestTimer("empty", "GET", "5xx").count() == 1);
        assertThat(fixture.registry
                        .get("usher.upstream.duration")
                        .tags("service", "empty")
                        .timer()
                        .count())
                .isZero();
    }
}
