package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.usher.routing.Endpoint;
import io.micrometer.core.instrument.Counter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Passive health checking on real sockets: a dead or 502-answering endpoint is ejected after its failures in a row,
 * gets no request while ejected, and is tried again once the injected clock passed its ejection time. One event loop,
 * so that the per-loop state is the whole state.
 */
final class OutlierDetectionTest {

    private static final long EJECTION_NANOS = Duration.ofSeconds(30).toNanos();

    private final AtomicLong clock = new AtomicLong();
    private ProxyFixture fixture;
    private HttpServer badOrigin;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
        if (badOrigin != null) {
            badOrigin.stop(0);
        }
    }

    private static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort(); // closed again: connecting to it is refused
        }
    }

    private void start(ProxySettings settings) {
        fixture = new ProxyFixture(1, settings, b -> b.eventLoops(1).nanoClock(clock::get));
    }

    private Endpoint healthy() {
        return new Endpoint("127.0.0.1", fixture.origins.get(0).port(), "healthy");
    }

    private double connectFailures() {
        return fixture.registry
                .get("usher.upstream.errors")
                .tag("reason", "connect_failed")
                .counter()
                .count();
    }

    private double ejections(String reason) {
        Counter c = fixture.registry
                .find("usher.endpoint.ejections")
                .tag("namespace", "default")
                .tag("service", "app")
                .tag("reason", reason)
                .counter();
        return c == null ? 0 : c.count();
    }

    private void get200s(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            assertThat(fixture.get("app.test", "/echo").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void deadEndpoint_afterFiveConnectFailures_getsNoConnectInTheNext100Requests() throws Exception {
        start(ProxySettings.defaults());
        fixture.table.updateEndpoints(
                ProxyFixture.APP, List.of(new Endpoint("127.0.0.1", deadPort(), "dead"), healthy()));

        get200s(10); // round robin: 5 of them try the dead endpoint first, then the healthy one
        assertThat(connectFailures()).isEqualTo(5.0);
        assertThat(ejections("connect_failed")).isEqualTo(1.0);

        get200s(100);

        assertThat(connectFailures()).isEqualTo(5.0);
        assertThat(fixture.origins.get(0).requests.get()).isEqualTo(110);
    }

    @Test
    void deadEndpoint_withOutlierDetectionOff_failsEveryOtherConnect() throws Exception {
        start(ProxySettings.builder().outlierDetection(OutlierDetection.OFF).build());
        fixture.table.updateEndpoints(
                ProxyFixture.APP, List.of(new Endpoint("127.0.0.1", deadPort(), "dead"), healthy()));

        get200s(100);

        assertThat(connectFailures()).isEqualTo(50.0); // the figure the ejection brings down to 5
        assertThat(ejections("connect_failed")).isZero();
    }

    @Test
    void ejectedEndpoint_pastItsEjectionTime_isTriedOnceAndEjectedAgainForLonger() throws Exception {
        start(ProxySettings.defaults());
        fixture.table.updateEndpoints(
                ProxyFixture.APP, List.of(new Endpoint("127.0.0.1", deadPort(), "dead"), healthy()));
        get200s(10);
        assertThat(ejections("connect_failed")).isEqualTo(1.0);

        clock.addAndGet(EJECTION_NANOS); // the first ejection lasts the base time
        get200s(100);

        assertThat(connectFailures()).isEqualTo(6.0); // back one failure short of the threshold: one more ejects it
        assertThat(ejections("connect_failed")).isEqualTo(2.0);

        clock.addAndGet(EJECTION_NANOS); // the second ejection lasts twice the base time: still ejected
        get200s(50);
        assertThat(connectFailures()).isEqualTo(6.0);

        clock.addAndGet(EJECTION_NANOS);
        get200s(50);
        assertThat(connectFailures()).isEqualTo(7.0);
        assertThat(ejections("connect_failed")).isEqualTo(3.0);
    }

    @Test
    void twoEndpointService_originAnswering502_isEjectedAndTheOtherServesAll() throws Exception {
        AtomicInteger badRequests = new AtomicInteger();
        badOrigin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        badOrigin.createContext("/", exchange -> {
            badRequests.incrementAndGet();
            byte[] body = "bad gateway".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(502, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        badOrigin.start();
        start(ProxySettings.defaults());
        fixture.table.updateEndpoints(
                ProxyFixture.APP,
                List.of(new Endpoint("127.0.0.1", badOrigin.getAddress().getPort(), "bad"), healthy()));

        int bad = 0;
        for (int i = 0; i < 10; i++) {
            if (fixture.get("app.test", "/echo").statusCode() == 502) {
                bad++;
            }
        }
        assertThat(bad).isEqualTo(5); // no retry on a 502 response: the client sees each of them
        await().atMost(Duration.ofSeconds(10)).until(() -> ejections("gateway_error") == 1.0);

        get200s(100);

        assertThat(badRequests.get()).isEqualTo(5);
        assertThat(fixture.origins.get(0).requests.get()).isEqualTo(105);
    }

    @Test
    void everyEndpointEjected_requestsStillTryThem() throws Exception {
        start(ProxySettings.defaults());
        Endpoint dead = new Endpoint("127.0.0.1", deadPort(), "dead");
        fixture.table.updateEndpoints(ProxyFixture.APP, List.of(dead, healthy()));
        get200s(10);
        assertThat(ejections("connect_failed")).isEqualTo(1.0);

        fixture.table.updateEndpoints(ProxyFixture.APP, List.of(dead)); // only the ejected endpoint is left
        for (int i = 0; i < 3; i++) {
            assertThat(fixture.get("app.test", "/echo").statusCode()).isEqualTo(502);
        }

        assertThat(connectFailures()).isEqualTo(8.0); // tried each time rather than a 503 without trying
        assertThat(ejections("connect_failed")).isEqualTo(1.0); // the last endpoint left is never ejected
    }

    @Test
    void originResettingEveryConnection_isEjectedForResets() throws Exception {
        start(ProxySettings.defaults());
        int port = fixture.origins.get(0).port(); // two endpoints on one origin whose /reset resets every request
        fixture.table.updateEndpoints(
                ProxyFixture.APP, List.of(new Endpoint("127.0.0.1", port, "a"), new Endpoint("127.0.0.1", port, "b")));

        for (int i = 0; i < 10; i++) {
            assertThat(fixture.get("app.test", "/reset").statusCode()).isEqualTo(502);
        }

        assertThat(ejections("reset")).isEqualTo(1.0); // "a" after its 5th; "b" is the last one left, never ejected
        assertThat(ejections("connect_failed")).isZero();
    }
}
