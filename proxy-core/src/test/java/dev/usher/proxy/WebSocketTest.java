package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.routing.RoutingSnapshot;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** WebSocket upgrades become a byte tunnel that outlives route and endpoint changes. */
final class WebSocketTest {

    private ProxyFixture fixture;

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void webSocketEcho_throughProxy_survivesRouteAndEndpointRemoval() throws Exception {
        fixture = new ProxyFixture(1, ProxySettings.defaults());
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket ws = fixture.webSocket("/ws", received);

        ws.sendText("hello", true).get(10, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo:hello");

        fixture.table.publish(RoutingSnapshot.empty());
        fixture.table.updateEndpoints(ProxyFixture.APP, List.of());
        ws.sendText("still there?", true).get(10, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo:still there?");

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> assertThat(fixture.registry
                        .get("usher.requests")
                        .tag("status", "1xx")
                        .counter()
                        .count())
                .isEqualTo(1.0));
    }

    @Test
    void idleTunnel_isClosedAfterTunnelIdleTimeout() throws Exception {
        fixture = new ProxyFixture(
                1,
                ProxySettings.builder()
                        .tunnelIdleTimeout(Duration.ofMillis(300))
                        .build());
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET /ws HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 101");

            assertThat(raw.readUntilClose()).doesNotContain("<<timeout>>");
        }
    }

    @Test
    void upgradeRequest_rawHandshake_gets101WithUpgradeHeaders() throws Exception {
        fixture = new ProxyFixture(1, ProxySettings.defaults());
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET /ws HTTP/1.1\r\nHost: app.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");

            String head = raw.readResponse();
            assertThat(head)
                    .startsWith("HTTP/1.1 101")
                    .containsIgnoringCase("upgrade: websocket")
                    .containsIgnoringCase("connection: upgrade")
                    .contains("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        }
    }
}
