package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The per-loop, per-endpoint connection cap and the pool's idle timeout. */
final class PoolLimitTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @Test
    void connectionLimitReached_is503_whileOthersAreInFlight() throws Exception {
        try (ProxyFixture fixture = new ProxyFixture(
                        1, ProxySettings.builder().maxConnectionsPerEndpoint(1).build(), b -> b.eventLoops(1));
                RawHttp slow = new RawHttp(fixture.proxy.httpPort());
                RawHttp second = new RawHttp(fixture.proxy.httpPort())) {
            TestOrigin origin = fixture.origins.get(0);
            slow.send("GET /held HTTP/1.1\r\nHost: app.test\r\n\r\n");
            await().atMost(PATIENCE).until(origin.held::get, n -> n == 1);

            second.send("GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");

            assertThat(second.readResponse()).startsWith("HTTP/1.1 503").contains("connection limit");
            origin.releaseHeld();
            assertThat(slow.readResponse()).startsWith("HTTP/1.1 200");
            assertThat(fixture.registry
                            .get("usher.upstream.errors")
                            .tag("reason", "pool_exhausted")
                            .counter()
                            .count())
                    .isEqualTo(1.0);
        }
    }

    @Test
    void idlePooledConnection_isClosedAfterPoolIdleTimeout() throws Exception {
        try (ProxyFixture fixture = new ProxyFixture(
                1,
                ProxySettings.builder().poolIdleTimeout(Duration.ofMillis(200)).build())) {
            TestOrigin origin = fixture.origins.get(0);
            assertThat(fixture.get("app.test", "/echo").statusCode()).isEqualTo(200);

            await().atMost(PATIENCE).until(origin.closedConnections::get, n -> n >= 1);

            assertThat(origin.closedConnections.get()).isEqualTo(1);
            assertThat(fixture.get("app.test", "/echo").statusCode()).isEqualTo(200);
            assertThat(origin.connections.get()).isEqualTo(2);
        }
    }

    @Test
    void activeConnectionsGauge_countsOpenClientConnections() throws Exception {
        try (ProxyFixture fixture = new ProxyFixture(1, ProxySettings.defaults());
                RawHttp a = new RawHttp(fixture.proxy.httpPort());
                RawHttp b = new RawHttp(fixture.proxy.httpPort())) {
            a.send("GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");
            b.send("GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");
            a.readResponse();
            b.readResponse();

            assertThat(fixture.registry.get("usher.connections.active").gauge().value())
                    .isEqualTo(2.0);
        }
    }
}
