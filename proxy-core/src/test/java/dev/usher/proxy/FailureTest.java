package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.routing.Endpoint;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the client sees when the origin side fails, and what the origin sees when the client does. */
final class FailureTest {

    private ProxyFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort(); // closed again: connecting to it is refused
        }
    }

    @Test
    void originDown_is502_afterTryingEveryEndpoint() throws Exception {
        fixture = new ProxyFixture(0, ProxySettings.defaults());
        fixture.table.updateEndpoints(
                ProxyFixture.APP,
                List.of(new Endpoint("127.0.0.1", deadPort(), "a"), new Endpoint("127.0.0.1", deadPort(), "b")));

        HttpResponse<String> res = fixture.get("app.test", "/");

        assertThat(res.statusCode()).isEqualTo(502);
        assertThat(res.body()).contains("origin unreachable");
        assertThat(fixture.registry
                        .get("usher.upstream.errors")
                        .tag("reason", "connect_failed")
                        .counter()
                        .count())
                .isEqualTo(2.0);
    }

    @Test
    void originDown_502_keepsTheClientConnectionForTheNextRequest() throws Exception {
        fixture = new ProxyFixture(1, ProxySettings.defaults());
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET /reset HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 502").doesNotContain("connection: close");

            raw.send("GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void connectRefused_triesTheNextEndpoint() throws Exception {
        fixture = new ProxyFixture(1, ProxySettings.defaults());
        int live = fixture.origins.get(0).port();
        fixture.table.updateEndpoints(
                ProxyFixture.APP,
                List.of(new Endpoint("127.0.0.1", deadPort(), "dead"), new Endpoint("127.0.0.1", live, "live")));

        for (int i = 0; i < 6; i++) {
            assertThat(fixture.get("app.test", "/echo").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void slowOrigin_is504_afterResponseTimeout() throws Exception {
        fixture = new ProxyFixture(
                1,
                ProxySettings.builder().responseTimeout(Duration.ofMillis(300)).build());

        HttpResponse<String> res = fixture.get("app.test", "/held"); // the origin never answers

        assertThat(res.statusCode()).isEqualTo(504);
        assertThat(fixture.registry
                        .get("usher.upstream.errors")
                        .tag("reason", "timeout")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void originNotReadingTheBody_is504_afterResponseTimeout() throws Exception {
        // A streamed body (stream.test: request buffering off) of any size: the origin sees it as it comes.
        fixture = new ProxyFixture(
                0,
                ProxySettings.builder()
                        .responseTimeout(Duration.ofMillis(500))
                        .maxRequestBodyBytes(0)
                        .build());
        try (ServerSocket deaf = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
                RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            fixture.table.updateEndpoints(
                    ProxyFixture.APP, List.of(new Endpoint("127.0.0.1", deaf.getLocalPort(), "deaf")));
            long size = 256L << 20;
            Thread writer = new Thread(() -> {
                try {
                    raw.send("POST /count HTTP/1.1\r\nHost: stream.test\r\nContent-Length: " + size + "\r\n\r\n");
                    byte[] chunk = new byte[64 * 1024];
                    for (long sent = 0; sent < size; sent += chunk.length) {
                        raw.socket.getOutputStream().write(chunk);
                    }
                } catch (java.io.IOException expected) {
                    // the proxy gives up and closes
                }
            });
            writer.setDaemon(true);
            writer.start();
            try (var accepted = deaf.accept()) { // accept, never read
                assertThat(raw.readResponse()).startsWith("HTTP/1.1 504").contains("stopped reading");
                assertThat(accepted.isConnected()).isTrue();
            }
        }
    }

    @Test
    void originResetBeforeResponse_is502() throws Exception {
        fixture = new ProxyFixture(1, ProxySettings.defaults());

        HttpResponse<String> res = fixture.get("app.test", "/reset");

        assertThat(res.statusCode()).isEqualTo(502);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n", // nginx: not a status line
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", // the gzip would be lost
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-Bad Name: v\r\nContent-Length: 0\r\n\r\n", // nginx: invalid header
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nTransfer-Encoding chunked: x\r\n\r\n"
            })
    void malformedOriginResponse_is502(String head) throws Exception {
        assertThat(fromRawOrigin(head).statusCode()).isEqualTo(502);
    }

    @Test
    void whitespaceBetweenAFieldNameAndItsColon_isRemoved() throws Exception {
        HttpResponse<String> res =
                fromRawOrigin("HTTP/1.1 200 OK\r\nX-Spaced \t: v\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");

        assertThat(res.statusCode()).isEqualTo(200); // RFC 9112 §5.1: a proxy removes it
        assertThat(res.headers().firstValue("X-Spaced")).hasValue("v");
        assertThat(res.body()).isEqualTo("ok");
    }

    /** What the client gets when the origin answers with {@code head} (and then waits for the proxy to close). */
    private HttpResponse<String> fromRawOrigin(String head) throws Exception {
        fixture = new ProxyFixture(0, ProxySettings.defaults());
        try (ServerSocket bad = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            fixture.table.updateEndpoints(
                    ProxyFixture.APP, List.of(new Endpoint("127.0.0.1", bad.getLocalPort(), "bad")));
            Thread origin = new Thread(() -> {
                try (var s = bad.accept()) {
                    s.getInputStream().read(new byte[1024]);
                    s.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    s.setSoTimeout(20_000);
                    s.getInputStream().readAllBytes(); // until the proxy drops the connection it refused
                } catch (Exception ignored) {
                    // the test asserts on what the client saw
                }
            });
            origin.start();

            HttpResponse<String> res = fixture.get("app.test", "/");
            origin.join(5000);
            return res;
        }
    }

    @Test
    void stalePooledConnection_isRetriedOnce_forIdempotentRequest() throws Exception {
        fixture = new ProxyFixture(1, ProxySettings.defaults());
        TestOrigin origin = fixture.origins.get(0);

        assertThat(fixture.get("app.test", "/flaky").statusCode()).isEqualTo(200);
        assertThat(fixture.get("app.test", "/flaky").statusCode()).isEqualTo(200);

        assertThat(origin.connections.get()).isEqualTo(2);
    }

    @Test
    void stalePooledConnection_isNotRetried_forPost() throws Exception {
        fixture = new ProxyFixture(1, ProxySettings.defaults());

        assertThat(fixture.get("app.test", "/flaky").statusCode()).isEqualTo(200);
        HttpResponse<String> res = fixture.client.send(
                HttpRequest.newBuilder(fixture.uri("/flaky"))
                        .header("Host", "app.test")
                        .POST(HttpRequest.BodyPublishers.ofString("x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(res.statusCode()).isEqualTo(502);
    }

    @Test
    void clientAbortMidResponse_closesTheOriginConnection() throws Exception {
        fixture = new ProxyFixture(1, ProxySettings.defaults());
        TestOrigin origin = fixture.origins.get(0);

        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET /big?bytes=" + (1L << 30) + " HTTP/1.1\r\nHost: app.test\r\n\r\n");
            raw.socket.getInputStream().readNBytes(100_000);
        }

        await().atMost(Duration.ofSeconds(20)).until(origin.closedConnections::get, n -> n >= 1);
        assertThat(origin.closedConnections.get()).isEqualTo(1);
    }

    @Test
    void originGoneMidResponse_closesTheClientConnection() throws Exception {
        fixture = new ProxyFixture(0, ProxySettings.defaults());
        try (ServerSocket bad = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            fixture.table.updateEndpoints(
                    ProxyFixture.APP, List.of(new Endpoint("127.0.0.1", bad.getLocalPort(), "half")));
            Thread origin = new Thread(() -> {
                try (var s = bad.accept()) {
                    s.getInputStream().read(new byte[1024]);
                    s.getOutputStream()
                            .write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-part"
                                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                } catch (Exception ignored) {
                    // closing the socket is the point
                }
            });
            origin.start();
            try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
                raw.send("GET / HTTP/1.1\r\nHost: app.test\r\n\r\n");

                String all = raw.readUntilClose();
                assertThat(all).startsWith("HTTP/1.1 200").endsWith("only-part").doesNotContain("<<timeout>>");
            }
            origin.join(5000);
        }
    }
}
