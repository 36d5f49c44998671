package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.routing.AddressBlock;
import dev.usher.routing.RateLimit;
import dev.usher.routing.RouteOptions;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code limit-*} annotations end to end on real sockets, on the proxy's injected clock: a client past
 * its burst gets 503 (or the status of {@code limitReqStatusCode}) without reaching the origin, and passes again once
 * the clock moved on; {@code limit-connections} refuses a request beyond the limit in progress, and every way a request
 * ends (answered, failed at the origin, abandoned by its client) gives its slot back.
 */
final class RateLimitTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong();

    @AutoClose
    private OptionsFixture fixture;

    private void start(ProxySettings settings) {
        fixture = new OptionsFixture(
                settings,
                Map.of(
                        "rps.test", limited(new RateLimit(1, 0, 0, 2, List.of())),
                        "exempt.test", limited(new RateLimit(1, 0, 1, 0, List.of(AddressBlock.parse("127.0.0.0/8")))),
                        "conn.test", limited(new RateLimit(0, 0, 2, 5, List.of())),
                        "one.test", limited(new RateLimit(0, 0, 1, 5, List.of()))),
                clock::get);
    }

    private static RouteOptions limited(RateLimit limit) {
        return RouteOptions.builder().rateLimit(limit).build();
    }

    private int status(String host, String path) throws Exception {
        return fixture.get(host, path).statusCode();
    }

    private double refused(String limit) {
        Counter counter = fixture.registry
                .find("usher.rate.limited")
                .tag("ingress", "rps-test")
                .tag("limit", limit)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void pastTheBurst_503WithoutTheOrigin_andTheClientPassesAgainOnceTheClockMoved() throws Exception {
        start(ProxySettings.defaults());

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statuses.add(status("rps.test", "/echo"));
        }

        assertThat(statuses).containsExactly(200, 200, 200, 503, 503); // rps 1, burst 2: 3 at once
        assertThat(fixture.origin.requests.get()).isEqualTo(3);
        assertThat(refused("rps")).isEqualTo(2);

        clock.addAndGet(SECOND);
        assertThat(status("rps.test", "/echo")).isEqualTo(200);
        assertThat(status("rps.test", "/echo")).isEqualTo(503);
        clock.addAndGet(3 * SECOND);
        assertThat(List.of(
                        status("rps.test", "/echo"),
                        status("rps.test", "/echo"),
                        status("rps.test", "/echo"),
                        status("rps.test", "/echo")))
                .containsExactly(200, 200, 200, 503);
    }

    @Test
    void theRefusalStatus_isTheSettingsOne() throws Exception {
        start(ProxySettings.builder()
                .limitReqStatusCode(429)
                .limitConnStatusCode(503)
                .build());

        for (int i = 0; i < 3; i++) {
            assertThat(status("rps.test", "/echo")).isEqualTo(200);
        }
        assertThat(status("rps.test", "/echo")).isEqualTo(429);
    }

    @Test
    void anExemptClient_isNeverLimited() throws Exception {
        start(ProxySettings.defaults());

        for (int i = 0; i < 10; i++) {
            assertThat(status("exempt.test", "/echo")).isEqualTo(200);
        }
    }

    @Test
    void limitConnections_refusesTheRequestBeyondTheLimitInProgress_andAnsweredOnesGiveTheirSlotsBack()
            throws Exception {
        start(ProxySettings.defaults());
        CompletableFuture<HttpResponse<String>> first = async("conn.test", "/held");
        CompletableFuture<HttpResponse<String>> second = async("conn.test", "/held");
        await().atMost(PATIENCE).until(fixture.origin.held::get, n -> n == 2);

        assertThat(status("conn.test", "/echo")).isEqualTo(503);
        fixture.origin.releaseHeld();

        assertThat(first.get().statusCode()).isEqualTo(200);
        assertThat(second.get().statusCode()).isEqualTo(200);
        await().atMost(PATIENCE).until(() -> fixture.proxy.rateLimiter().slotted() == 0);
        assertThat(status("conn.test", "/echo")).isEqualTo(200);
        assertThat(fixture.registry
                        .find("usher.rate.limited")
                        .tag("limit", "connections")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aRequestThatFailsAtTheOrigin_givesItsSlotBack() throws Exception {
        start(ProxySettings.builder()
                .retryTries(1)
                .outlierConsecutiveFailures(0)
                .build());

        assertThat(status("one.test", "/reset")).isEqualTo(502);
        assertThat(status("one.test", "/reset")).isEqualTo(502); // not 503: the first one's slot is free

        assertThat(fixture.proxy.rateLimiter().slotted()).isZero();
    }

    @Test
    void aClientThatGoesAwayMidRequest_givesItsSlotBack() throws Exception {
        start(ProxySettings.defaults());
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET /held HTTP/1.1\r\nHost: one.test\r\n\r\n");
            await().atMost(PATIENCE).until(fixture.origin.held::get, n -> n == 1);
            assertThat(status("one.test", "/echo")).isEqualTo(503);
        } // the client leaves before its response

        await().atMost(PATIENCE).until(() -> fixture.proxy.rateLimiter().slotted() == 0);
        assertThat(status("one.test", "/echo")).isEqualTo(200);
        fixture.origin.releaseHeld();
    }

    @Test
    void http2_eachStreamIsARequestInProgress_andAResetStreamGivesItsSlotBack() throws Exception {
        start(ProxySettings.defaults());
        try (RawH2 h2 = RawH2.connect(fixture.proxy.httpPort())) {
            h2.headers(1, RawH2.request("GET", "one.test", "/held"), true);
            await().atMost(PATIENCE).until(fixture.origin.held::get, n -> n == 1);
            h2.headers(3, RawH2.request("GET", "one.test", "/echo"), true);
            assertThat(h2.replies(List.of(3)).get(3).status()).isEqualTo("503");

            h2.rst(1, 0x8); // CANCEL: the client gave up on the held request
            await().atMost(PATIENCE).until(() -> fixture.proxy.rateLimiter().slotted() == 0);
            h2.headers(5, RawH2.request("GET", "one.test", "/echo"), true);
            assertThat(h2.replies(List.of(5)).get(5).status()).isEqualTo("200");
        }
        fixture.origin.releaseHeld();
    }

    @Test
    void aWebSocketTunnel_countsUntilItCloses() throws Exception {
        start(ProxySettings.defaults());
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET /ws HTTP/1.1\r\nHost: one.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertThat(raw.readHeadResponse()).startsWith("HTTP/1.1 101");
            assertThat(status("one.test", "/echo")).isEqualTo(503);
        }

        await().atMost(PATIENCE).until(() -> fixture.proxy.rateLimiter().slotted() == 0);
        assertThat(status("one.test", "/echo")).isEqualTo(200);
    }

    private CompletableFuture<HttpResponse<String>> async(String host, String path) {
        return fixture.client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.proxy.httpPort() + path))
                        .header("Host", host)
                        .timeout(PATIENCE)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
