package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a request head may carry, on real sockets with the raw bytes written here and the origin recording. */
final class RequestHygieneTest {

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(1, ProxySettings.defaults());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static TestOrigin origin() {
        return fixture.origins.get(0);
    }

    /** Sends {@code request} and returns everything until the proxy closes; the origin must have seen nothing. */
    private static String refused(String request) throws Exception {
        int before = origin().requests.get();
        String answer;
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send(request);
            answer = raw.readUntilClose();
        }
        assertThat(answer).doesNotContain("<<timeout>>").containsOnlyOnce("HTTP/1.1");
        assertThat(origin().requests.get()).isEqualTo(before);
        return answer;
    }

    private static String exchange(ProxyFixture on, String request) throws Exception {
        try (RawHttp raw = new RawHttp(on.proxy.httpPort())) {
            raw.send(request);
            return raw.readResponse();
        }
    }

    @ParameterizedTest(name = "byte 0x{0}")
    @ValueSource(strings = {"00", "01", "09", "0b", "1b", "1f", "7f"})
    void controlByteInTheRequestTarget_is400(String hex) throws Exception {
        char c = (char) Integer.parseInt(hex, 16);

        assertThat(refused("GET /a" + c + "b HTTP/1.1\r\nHost: app.test\r\n\r\n"))
                .startsWith("HTTP/1.1 400");
    }

    @Test
    void bytesAbove0x7fInTheTarget_reachTheOriginAsReceived() throws Exception {
        String answer = exchange(fixture, "GET /caf\u00e9/\u00ff?q=\u00c3\u00a9 HTTP/1.1\r\nHost: app.test\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 200");
        // The origin decodes each byte as one ISO-8859-1 character: one character per byte means no re-encoding.
        assertThat(origin().seen).extracting(HttpRequest::uri).contains("/caf\u00e9/\u00ff?q=\u00c3\u00a9");
    }

    @ParameterizedTest(name = "Host: {0}")
    @ValueSource(
            strings = {
                "a:junk@evil",
                "[x]evil",
                "[::1]evil",
                "app.test evil",
                "\"app.test\"",
                "app.test/x",
                "app.test:80x",
                "app.test:123456",
                "app.test\\evil",
                "a@b",
                "%zz.test"
            })
    void invalidHost_is400(String host) throws Exception {
        assertThat(refused("GET /echo HTTP/1.1\r\nHost: " + host + "\r\n\r\n")).startsWith("HTTP/1.1 400");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "http://a:junk@evil/echo",
                "http://app.test@evil/echo",
                "http://[x]evil/echo",
                "http://\"q\"/echo"
            })
    void invalidAbsoluteFormAuthority_is400(String target) throws Exception {
        assertThat(refused("GET " + target + " HTTP/1.1\r\nHost: app.test\r\n\r\n"))
                .startsWith("HTTP/1.1 400");
    }

    @ParameterizedTest(name = "Host: {0}")
    @ValueSource(
            strings = {
                "app.test",
                "APP.test:8080",
                "app.test:",
                "127.0.0.1",
                "[::1]:80",
                "[::ffff:1.2.3.4]",
                "a-b_c~d.test",
                "xn--bcher-kva.test"
            })
    void validHost_isRouted(String host) throws Exception {
        assertThat(exchange(fixture, "GET /any-host HTTP/1.1\r\nHost: " + host + "\r\n\r\n"))
                .startsWith(host.toLowerCase(Locale.ROOT).startsWith("app.test") ? "HTTP/1.1 200" : "HTTP/1.1 ");
        assertThat(exchange(fixture, "GET /any-host HTTP/1.1\r\nHost: " + host + "\r\n\r\n"))
                .doesNotStartWith("HTTP/1.1 400");
    }

    @Test
    void httpsRedirect_neverReflectsAnInvalidHost() throws Exception {
        assertThat(refused("GET /x HTTP/1.1\r\nHost: secure.test\"><script>\r\n\r\n"))
                .startsWith("HTTP/1.1 400")
                .doesNotContainIgnoringCase("location:");
        assertThat(exchange(fixture, "GET /x HTTP/1.1\r\nHost: secure.test\r\n\r\n"))
                .startsWith("HTTP/1.1 308")
                .contains("location: https://secure.test/x");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "HTTP/3.1"})
    void versionOtherThan10Or11_is505(String version) throws Exception {
        assertThat(refused("GET /echo " + version + "\r\nHost: app.test\r\n\r\n"))
                .startsWith("HTTP/1.1 505");
    }

    @ParameterizedTest(name = "Transfer-Encoding: {0}")
    @ValueSource(
            strings = {
                "gzip, chunked",
                "chunked, gzip",
                "gzip",
                "chunked, chunked",
                "identity",
                "chunked;x=1",
                "chunked\r\nTransfer-Encoding: chunked"
            })
    void transferEncodingOtherThanExactlyChunked_is501(String codings) throws Exception {
        String answer = refused("POST /count HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: " + codings
                + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 501");
    }

    @Test
    void headerNamesWithUnderscores_areDropped_dashedOnesKept() throws Exception {
        String answer = exchange(
                fixture,
                "GET /echo HTTP/1.1\r\nHost: app.test\r\nX_Forwarded_For: 6.6.6.6\r\n"
                        + "My_Header: 1\r\nMy-Header: 2\r\n\r\n");

        assertThat(answer)
                .startsWith("HTTP/1.1 200")
                .contains("my-header: 2")
                .doesNotContain("my_header")
                .doesNotContain("x_forwarded_for")
                .doesNotContain("6.6.6.6");
    }

    @Test
    void headerNamesWithUnderscores_areKept_whenEnabled() throws Exception {
        try (ProxyFixture lax = new ProxyFixture(
                1, ProxySettings.builder().underscoresInHeaders(true).build())) {
            assertThat(exchange(lax, "GET /echo HTTP/1.1\r\nHost: app.test\r\nMy_Header: 1\r\n\r\n"))
                    .startsWith("HTTP/1.1 200")
                    .contains("my_header: 1");
        }
    }

    @Test
    void whenEnabled_anUnderscoredTwinOfAFieldUsherOwns_isStillDropped() throws Exception {
        // CGI and PHP read X_Forwarded_For and X-Forwarded-For as one HTTP_X_FORWARDED_FOR: a client's twin must not
        // stand beside (or in for) what Usher wrote, nor beside the handshake's ssl-client-* fields
        try (ProxyFixture lax = new ProxyFixture(
                1, ProxySettings.builder().underscoresInHeaders(true).build())) {
            String answer = exchange(
                    lax,
                    "GET /echo HTTP/1.1\r\nHost: app.test\r\nX_Forwarded_For: 6.6.6.6\r\nx_real_ip: 6.6.6.7\r\n"
                            + "SSL_CLIENT_VERIFY: SUCCESS\r\nX_Request_ID: forged\r\nForwarded_: for=6.6.6.8\r\n"
                            + "My_Header: 1\r\n\r\n");
            assertThat(answer)
                    .startsWith("HTTP/1.1 200")
                    .contains("my_header: 1")
                    .contains("x-forwarded-for: 127.0.0.1")
                    .doesNotContain("6.6.6.")
                    .doesNotContain("SUCCESS")
                    .doesNotContain("forged");
        }
    }

    @ParameterizedTest(name = "Upgrade: {0}")
    @ValueSource(strings = {"h2c", "foo", "H2C, foo/2"})
    void upgradeToAProtocolNotAllowed_goesOnAsAPlainRequest_withoutUpgradeOrConnection(String protocol)
            throws Exception {
        String answer = exchange(
                fixture,
                "GET /echo HTTP/1.1\r\nHost: app.test\r\nConnection: Upgrade, HTTP2-Settings" + "\r\nUpgrade: "
                        + protocol + "\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");

        assertThat(answer)
                .startsWith("HTTP/1.1 200")
                .contains("uri=/echo")
                .doesNotContain("upgrade:")
                .doesNotContain("connection:")
                .doesNotContain("http2-settings:");
    }

    @Test
    void upgradeProtocols_listsTheTunnelledOnes_andNeverH2c() {
        assertThat(RequestHeads.tunnelled("websocket", Set.of("websocket"))).isEqualTo("websocket");
        assertThat(RequestHeads.tunnelled("h2c, WebSocket/13, foo", Set.of("websocket")))
                .isEqualTo("WebSocket/13");
        assertThat(RequestHeads.tunnelled("h2c", Set.of("websocket"))).isNull();
        assertThat(RequestHeads.tunnelled("foo", Set.of("websocket", "foo"))).isEqualTo("foo");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() ->
                        ProxySettings.builder().upgradeProtocols(Set.of("h2c")).build());
    }

    @Test
    void invalidChunkSize_onAFreshOriginConnection_isAnswered_andLogsNoStackTrace() throws Exception {
        try (StderrCapture err = new StderrCapture();
                ProxyFixture fresh = new ProxyFixture(1, ProxySettings.defaults())) {
            for (int i = 0; i < 4; i++) { // both event loops, each on a fresh origin connection
                try (RawHttp raw = new RawHttp(fresh.proxy.httpPort())) {
                    raw.send("POST /count HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
                            + "hello\r\n0\r\n\r\n");
                    assertThat(raw.readUntilClose()).startsWith("HTTP/1.1 400").doesNotContain("<<timeout>>");
                }
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> fresh.origins.get(0).closedConnections.get()
                            == fresh.origins.get(0).connections.get());
            assertThat(err.hasStackTrace()).as(err.text()).isFalse();
        }
    }
}
