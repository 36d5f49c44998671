package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Oversized requests and slow or idle clients. */
final class LimitsTest {

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(
                1,
                ProxySettings.builder()
                        .requestHeaderTimeout(Duration.ofMillis(500))
                        .clientIdleTimeout(Duration.ofMillis(1500))
                        .clientBodyTimeout(Duration.ofMillis(1500))
                        .maxRequestBodyBytes(1000)
                        .build());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void uriOverLimit_is414() throws Exception {
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: app.test\r\n\r\n");

            assertThat(raw.readUntilClose()).startsWith("HTTP/1.1 414");
        }
    }

    @Test
    void headersOverLimit_is431() throws Exception {
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET / HTTP/1.1\r\nHost: app.test\r\nX-Big: " + "b".repeat(17_000) + "\r\n\r\n");

            assertThat(raw.readUntilClose()).startsWith("HTTP/1.1 431");
        }
    }

    @Test
    void declaredBodyOverLimit_is413_beforeAnythingReachesOrigin() throws Exception {
        int before = fixture.origins.get(0).requests.get();
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("POST /count HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5000\r\n\r\n");

            assertThat(raw.readUntilClose()).startsWith("HTTP/1.1 413");
        }
        assertThat(fixture.origins.get(0).requests.get()).isEqualTo(before);
    }

    @Test
    void declaredBodyOverLimit_whileClientKeepsSending_isDiscardedUntilSent_andThe413IsRead() throws Exception {
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            int size = 32 << 20;
            java.util.concurrent.atomic.AtomicBoolean sentWhole = new java.util.concurrent.atomic.AtomicBoolean();
            Thread writer = new Thread(() -> {
                try {
                    raw.send("POST /count HTTP/1.1\r\nHost: app.test\r\nContent-Length: " + size + "\r\n\r\n");
                    raw.socket.getOutputStream().write(new byte[size]);
                    sentWhole.set(true);
                } catch (java.io.IOException resetByPeer) {
                    // what a plain close does to a client still sending: the test fails below
                }
            });
            writer.setDaemon(true);
            writer.start();
            writer.join(60_000);

            // RFC 9112 §9.6: a lingering close reads and drops the rest, so the client is not reset mid-send.
            assertThat(sentWhole).isTrue();
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void chunkedBodyOverLimit_is413AndClosed() throws Exception {
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("POST /count HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n" + "400\r\n"
                    + "x".repeat(1024) + "\r\n0\r\n\r\n");

            assertThat(raw.readUntilClose()).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void slowLoris_partialHeadPastHeaderTimeout_isClosed() throws Exception {
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET / HTTP/1.1\r\nHost: app.te");

            String answer = raw.readUntilClose();
            assertThat(answer).isEmpty();
        }
    }

    @Test
    void bodyStalledPastIdleTimeout_is408AndClosed() throws Exception {
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("POST /count HTTP/1.1\r\nHost: app.test\r\nContent-Length: 10\r\n\r\nabc");

            assertThat(raw.readUntilClose()).startsWith("HTTP/1.1 408").doesNotContain("<<timeout>>");
        }
    }

    @Test
    void idleKeepAliveConnection_isClosedAfterIdleTimeout() throws Exception {
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200");

            assertThat(raw.readUntilClose()).isEmpty();
        }
    }
}
