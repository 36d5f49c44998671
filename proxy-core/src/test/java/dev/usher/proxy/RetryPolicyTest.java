package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.routing.Endpoint;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.RetryOn;
import dev.usher.routing.RetryPolicy;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import io.micrometer.core.instrument.Counter;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The retry policy on real sockets: which failures are retried, on which endpoint, how often, within what time, and
 * the retry budget. One event loop and outlier ejection off, so round-robin gives each request a known first endpoint;
 * the proxy's clock is injected, so the retry timeout and the budget's window never depend on the machine's speed.
 */
final class RetryPolicyTest {

    private static final Set<RetryOn> WITH_502 = Set.of(RetryOn.ERROR, RetryOn.TIMEOUT, RetryOn.HTTP_502);

    private final AtomicLong clock = new AtomicLong();
    private ProxyFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private void start(int origins, ProxySettings.Builder settings) {
        fixture =
                new ProxyFixture(origins, settings.outlierConsecutiveFailures(0).build(), b -> b.eventLoops(1)
                        .nanoClock(clock::get));
    }

    private TestOrigin origin(int i) {
        return fixture.origins.get(i);
    }

    private int originHits() {
        return fixture.origins.stream().mapToInt(o -> o.requests.get()).sum();
    }

    private double retries(String reason) {
        Counter c = fixture.registry
                .find("usher.retries")
                .tag("namespace", "default")
                .tag("service", "app")
                .tag("reason", reason)
                .counter();
        return c == null ? 0 : c.count();
    }

    private double budgetExhausted() {
        Counter c = fixture.registry
                .find("usher.retry.budget.exhausted")
                .tag("service", "app")
                .counter();
        return c == null ? 0 : c.count();
    }

    private HttpResponse<String> post(String host, String body) throws Exception {
        return fixture.client.send(
                HttpRequest.newBuilder(fixture.uri("/echo"))
                        .header("Host", host)
                        .timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private List<Integer> statuses(int n, String path) throws Exception {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(fixture.get("app.test", path).statusCode());
        }
        return out;
    }

    @Test
    void a502_isRetriedOnTheOtherEndpoint_whenHttp502IsListed() throws Exception {
        start(2, ProxySettings.builder().retryOn(WITH_502));
        origin(0).failWith = 502;

        assertThat(statuses(4, "/echo")).containsOnly(200);

        // Requests 1 and 3 went to the failing endpoint first, 2 and 4 to the healthy one.
        assertThat(origin(0).requests.get()).isEqualTo(2);
        assertThat(origin(1).requests.get()).isEqualTo(4);
        assertThat(retries("http_502")).isEqualTo(2.0);
        // The discarded 502s' connections were closed, never pooled; the healthy origin's one connection was reused.
        await().untilAsserted(
                        () -> assertThat(origin(0).closedConnections.get()).isEqualTo(2));
        assertThat(origin(1).connections.get()).isEqualTo(1);
    }

    @Test
    void a502_reachesTheClient_whenHttp502IsNotListed_theDefault() throws Exception {
        start(2, ProxySettings.builder());
        origin(0).failWith = 502;

        assertThat(statuses(4, "/echo")).containsExactly(502, 200, 502, 200);

        assertThat(originHits()).isEqualTo(4);
        assertThat(retries("http_502")).isZero();
        // A 502 relayed whole leaves its connection clean: it is pooled and reused like any other.
        assertThat(origin(0).connections.get()).isEqualTo(1);
    }

    @Test
    void aReset_isRetried_forAGet_butNotForAPostWhoseBytesWentOut() throws Exception {
        start(2, ProxySettings.builder());
        origin(0).resetAll = true;

        assertThat(statuses(2, "/echo")).containsExactly(200, 200);
        assertThat(retries("error")).isEqualTo(1.0);

        int before = originHits();
        List<Integer> posts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            posts.add(post("app.test", "payload").statusCode());
        }
        assertThat(posts).containsExactly(502, 200, 502, 200);
        assertThat(originHits() - before).isEqualTo(4); // one attempt each
        assertThat(retries("error")).isEqualTo(1.0);
    }

    @Test
    void nonIdempotent_allowsRetryingAPost_onlyWhenItsBodyWasBufferedWhole() throws Exception {
        start(2, ProxySettings.builder().retryOn(Set.of(RetryOn.ERROR, RetryOn.HTTP_502, RetryOn.NON_IDEMPOTENT)));
        origin(0).failWith = 502;

        List<Integer> buffered = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> res = post("app.test", "payload-" + i);
            buffered.add(res.statusCode());
            assertThat(res.body()).contains("body=9"); // the healthy origin got the whole replayed body
        }
        assertThat(buffered).containsExactly(200, 200);
        assertThat(retries("http_502")).isEqualTo(1.0);

        // stream.test has request buffering off: the body went out as it came and cannot be sent again.
        List<Integer> streamed = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            streamed.add(post("stream.test", "payload-" + i).statusCode());
        }
        assertThat(streamed).containsExactly(502, 200);
        assertThat(retries("http_502")).isEqualTo(1.0);
    }

    @Test
    void aPostIsNotRetriedOn502_withoutNonIdempotent() throws Exception {
        start(2, ProxySettings.builder().retryOn(WITH_502));
        origin(0).failWith = 502;

        assertThat(post("app.test", "x").statusCode()).isEqualTo(502);
        assertThat(originHits()).isEqualTo(1);
    }

    @Test
    void tries_boundsTheAttempts_andNoEndpointIsTriedTwice() throws Exception {
        start(3, ProxySettings.builder().retryOn(WITH_502).retryTries(2).retryBudgetMinPerSecond(1000));
        fixture.origins.forEach(o -> o.failWith = 502);

        assertThat(statuses(3, "/echo")).containsOnly(502);
        assertThat(originHits()).isEqualTo(6); // two attempts per request

        fixture.close();
        start(3, ProxySettings.builder().retryOn(WITH_502).retryTries(0).retryBudgetMinPerSecond(1000));
        fixture.origins.forEach(o -> o.failWith = 502);

        assertThat(statuses(3, "/echo")).containsOnly(502);
        // 0 is "every endpoint once": each of the three saw each of the three requests exactly once.
        assertThat(fixture.origins).allMatch(o -> o.requests.get() == 3);

        fixture.close();
        start(3, ProxySettings.builder().retryOn(WITH_502).retryTries(7).retryBudgetMinPerSecond(1000));
        fixture.origins.forEach(o -> o.failWith = 502);

        assertThat(statuses(2, "/echo")).containsOnly(502);
        assertThat(fixture.origins).allMatch(o -> o.requests.get() == 2); // more tries than endpoints: none twice
    }

    @Test
    void aResponseHeadTimeout_isRetriedOnTheOtherEndpoint() throws Exception {
        start(2, ProxySettings.builder().responseTimeout(Duration.ofMillis(300)));
        origin(0).failWith = 502;
        origin(0).holdFailures = true; // never released: the first endpoint never answers

        HttpResponse<String> res = fixture.get("app.test", "/echo");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).contains("origin=origin-1");
        assertThat(origin(0).held.get()).isEqualTo(1);
        assertThat(retries("timeout")).isEqualTo(1.0);
        assertThat(fixture.registry
                        .get("usher.upstream.errors")
                        .tag("reason", "timeout")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void anHttp10RequestWithoutHost_namesTheEndpointOfEachAttempt() throws Exception {
        start(2, ProxySettings.builder().retryOn(WITH_502));
        origin(0).failWith = 502;

        String response;
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET /any-host/echo HTTP/1.0\r\n\r\n");
            response = raw.readResponse();
        }

        assertThat(response)
                .startsWith("HTTP/1.1 200")
                .contains("origin=origin-1")
                .contains("host: 127.0.0.1:" + origin(1).port());
        assertThat(origin(0).seen).singleElement().satisfies(r -> assertThat(
                        r.headers().get("Host"))
                .isEqualTo("127.0.0.1:" + origin(0).port()));
    }

    @Test
    void off_turnsEvenTheConnectRetryOff() throws Exception {
        start(1, ProxySettings.builder().retryOn(Set.of()));
        fixture.table.updateEndpoints(
                ProxyFixture.APP,
                List.of(
                        new Endpoint("127.0.0.1", deadPort(), "dead"),
                        new Endpoint("127.0.0.1", origin(0).port(), "live")));

        assertThat(statuses(2, "/echo")).containsExactly(502, 200);
        assertThat(fixture.registry
                        .get("usher.upstream.errors")
                        .tag("reason", "connect_failed")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void timeout_noRetryStartsOnceItPassedSinceTheFirstAttempt() throws Exception {
        start(2, ProxySettings.builder().retryOn(WITH_502).retryTimeout(Duration.ofSeconds(5)));
        fixture.origins.forEach(o -> {
            o.failWith = 502;
            o.holdFailures = true;
        });

        // Within the timeout: the 502 of the first endpoint is retried on the second.
        CompletableFuture<HttpResponse<String>> within = async();
        await().until(() -> held() == 1);
        releaseAll();
        await().until(() -> held() == 2);
        releaseAll();
        assertThat(within.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(502);
        assertThat(originHits()).isEqualTo(2);

        // The clock passes the timeout while the first attempt waits: its 502 goes to the client as it is.
        CompletableFuture<HttpResponse<String>> late = async();
        await().until(() -> held() == 3);
        clock.addAndGet(TimeUnit.SECONDS.toNanos(6));
        releaseAll();
        assertThat(late.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(502);
        assertThat(originHits()).isEqualTo(3);
    }

    @Test
    void budget_capsRetriesOfAFailingBackend_atItsShareOfRequestsPlusTheMinimum() throws Exception {
        // 20 % of requests plus 1 retry a second (10 in the budget's 10 s window); the clock stands still.
        start(
                2,
                ProxySettings.builder().retryOn(WITH_502).retryBudgetPercent(20).retryBudgetMinPerSecond(1));
        fixture.origins.forEach(o -> o.failWith = 502);

        assertThat(statuses(100, "/echo")).containsOnly(502);

        double retried = retries("http_502");
        assertThat(originHits()).isEqualTo(100 + (int) retried);
        assertThat(retried).isBetween(20.0, 30.0); // without the budget: 100
        assertThat(budgetExhausted()).isEqualTo(100 - retried);

        // Ten seconds later the old window counts for nothing: the minimum is there again.
        clock.addAndGet(TimeUnit.SECONDS.toNanos(20));
        int before = originHits();
        assertThat(statuses(1, "/echo")).containsOnly(502);
        assertThat(originHits() - before).isEqualTo(2);
    }

    @Test
    void connectFailures_areRetriedOutsideTheBudget() throws Exception {
        start(1, ProxySettings.builder().retryBudgetPercent(0).retryBudgetMinPerSecond(0));
        fixture.table.updateEndpoints(
                ProxyFixture.APP,
                List.of(
                        new Endpoint("127.0.0.1", deadPort(), "dead"),
                        new Endpoint("127.0.0.1", origin(0).port(), "live")));

        assertThat(statuses(6, "/echo")).containsOnly(200);
        assertThat(retries("error")).isEqualTo(3.0);
        assertThat(budgetExhausted()).isZero();
    }

    @Test
    void anIngresssOwnPolicy_overridesTheFlags_partByPart() throws Exception {
        start(2, ProxySettings.builder().retryTries(1)); // the flags: no retries at all
        origin(0).failWith = 502;
        IngressRuleSet own = new IngressRuleSet(
                "default",
                "retry-ingress",
                Instant.parse("2024-01-01T00:00:00Z"),
                List.of(new HostRule("retry.test", List.of(new PathRule("/", PathType.PREFIX, ProxyFixture.APP)))),
                null,
                RouteOptions.builder()
                        .retry(new RetryPolicy(Set.of(RetryOn.HTTP_502), 2, null))
                        .build());
        fixture.table.publish(RoutingSnapshot.builder().add(own).build(fixture.table::backend));

        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            got.add(fixture.get("retry.test", "/echo").statusCode());
        }

        assertThat(got).containsOnly(200);
        assertThat(retries("http_502")).isEqualTo(2.0);
    }

    private CompletableFuture<HttpResponse<String>> async() {
        return fixture.client.sendAsync(
                HttpRequest.newBuilder(fixture.uri("/echo"))
                        .header("Host", "app.test")
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int held() {
        return fixture.origins.stream().mapToInt(o -> o.held.get()).sum();
    }

    private void releaseAll() {
        fixture.origins.forEach(TestOrigin::releaseHeld);
    }

    private static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort(); // closed again: connecting to it is refused
        }
    }
}
