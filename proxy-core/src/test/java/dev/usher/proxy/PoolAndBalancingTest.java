package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Keep-alive reuse of origin connections and how requests spread over endpoints. */
final class PoolAndBalancingTest {

    private ProxyFixture fixture;

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void sequentialRequests_reuseOneOriginConnection() throws Exception {
        fixture = new ProxyFixture(1, ProxySettings.defaults());

        for (int i = 0; i < 50; i++) {
            assertThat(fixture.get("app.test", "/echo?i=" + i).statusCode()).isEqualTo(200);
        }

        assertThat(fixture.origins.get(0).requests.get()).isEqualTo(50);
        assertThat(fixture.origins.get(0).connections.get()).isEqualTo(1);
        assertThat(fixture.registry
                        .get("usher.upstream.connect.duration")
                        .timer()
                        .count())
                .isEqualTo(1L);
    }

    @Test
    void concurrentRequests_openFewOriginConnections() throws Exception {
        fixture = new ProxyFixture(1, ProxySettings.defaults());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                results.add(pool.submit(() -> fixture.get("app.test", "/echo").statusCode()));
            }
            for (Future<Integer> r : results) {
                assertThat(r.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }

        // 4 client threads on 2 event loops: at most 4 requests in flight, so a handful of pooled connections.
        assertThat(fixture.origins.get(0).requests.get()).isEqualTo(200);
        assertThat(fixture.origins.get(0).connections.get()).isBetween(1, 8);
    }

    @Test
    void originConnectionClose_isNotPooled() throws Exception {
        fixture = new ProxyFixture(1, ProxySettings.defaults());

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> res = fixture.get("app.test", "/close");
            assertThat(res.body()).startsWith("bye");
        }

        assertThat(fixture.origins.get(0).connections.get()).isEqualTo(3);
    }

    @Test
    void roundRobin_spreadsEvenlyOverEndpoints() throws Exception {
        fixture = new ProxyFixture(3, ProxySettings.defaults());

        for (int i = 0; i < 30; i++) {
            fixture.get("app.test", "/echo");
        }

        assertThat(fixture.origins).allSatisfy(o -> assertThat(o.requests.get()).isEqualTo(10));
    }

    @Test
    void leastRequest_sendsEverythingElseAwayFromTheEndpointBusyWithASlowRequest() throws Exception {
        fixture = new ProxyFixture(
                2,
                ProxySettings.builder()
                        .loadBalancing(ProxySettings.LoadBalancing.LEAST_REQUEST)
                        .build(),
                b -> b.eventLoops(1));
        try (RawHttp slow = new RawHttp(fixture.proxy.httpPort())) {
            slow.send("GET /held HTTP/1.1\r\nHost: app.test\r\n\r\n");
            await().atMost(Duration.ofSeconds(20))
                    .until(
                            () -> fixture.origins.stream()
                                    .mapToInt(o -> o.held.get())
                                    .sum(),
                            n -> n == 1);
            TestOrigin busy = fixture.origins.get(0).held.get() == 1 ? fixture.origins.get(0) : fixture.origins.get(1);

            for (int i = 0; i < 10; i++) {
                assertThat(fixture.get("app.test", "/echo").statusCode()).isEqualTo(200);
            }

            assertThat(busy.requests.get()).isEqualTo(1);
            busy.releaseHeld();
            assertThat(slow.readResponse()).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void leastRequest_reachesEveryEndpoint() throws Exception {
        fixture = new ProxyFixture(
                3,
                ProxySettings.builder()
                        .loadBalancing(ProxySettings.LoadBalancing.LEAST_REQUEST)
                        .build());

        for (int i = 0; i < 60; i++) {
            fixture.get("app.test", "/echo");
        }

        assertThat(fixture.origins).allSatisfy(o -> assertThat(o.requests.get()).isGreaterThan(5));
    }
}
