package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/2 with prior knowledge (h2c) on the plain listener, frame by frame: each stream is one exchange through the
 * same admission and exchange as HTTP/1.1, and the origin gets a correct HTTP/1.1 request.
 */
final class Http2ClientTest extends RawH2Test {

    @Test
    void get_reachesTheOriginAsHttp11_withHostFromAuthority_joinedCookies_andForwardingFields() throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            h2.headers(
                    1,
                    RawH2.request("GET", "app.test", "/echo?q=1")
                            .add("cookie", "a=1")
                            .add("cookie", "b=2")
                            .add("x-http2-stream-id", "77"),
                    true);

            RawH2.Reply reply = h2.replies(List.of(1)).get(1);

            assertThat(reply.status()).isEqualTo("200");
            assertThat(reply.text())
                    .contains(
                            "uri=/echo?q=1",
                            "version=HTTP/1.1",
                            "host: app.test",
                            "cookie: a=1; b=2",
                            "x-forwarded-proto: http",
                            "x-forwarded-for: 127.0.0.1",
                            "x-request-id: ")
                    .doesNotContain("x-http2", "transfer-encoding");
            HttpRequestAssert.single(fixture.origins.get(0));
        }
        await().untilAsserted(() -> assertThat(fixture.registry
                        .find("usher.requests")
                        .tag("protocol", "HTTP/2")
                        .counter())
                .isNotNull());
    }

    @Test
    void chunkedTrailersFromTheOrigin_becomeATrailersHeadersFrame() throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            h2.headers(1, RawH2.request("GET", "app.test", "/trailers").add("te", "trailers"), true);

            RawH2.Reply reply = h2.replies(List.of(1)).get(1);

            assertThat(reply.status()).isEqualTo("200");
            assertThat(reply.text()).isEqualTo("with-trailers");
            assertThat(reply.trailers).isNotNull();
            assertThat(reply.trailers.get("x-checksum").toString()).isEqualTo("abc123");
            assertThat(reply.head.contains("transfer-encoding")).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"app.test", "stream.test"})
    void expect100Continue_getsAnInterimHead_thenTheResponseOnTheSameStream(String host) throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            h2.headers(1, RawH2.request("POST", host, "/count").add("expect", "100-continue"), false);

            RawH2.Frame interim = h2.read();
            while (interim != null && interim.type() != RawH2.HEADERS) {
                if (interim.type() == RawH2.SETTINGS && (interim.flags() & 1) == 0) {
                    h2.frame(RawH2.SETTINGS, 1, 0, new byte[0]);
                }
                interim = h2.read();
            }
            assertThat(interim).isNotNull();
            assertThat(h2.decode(interim).status().toString()).isEqualTo("100");
            assertThat(interim.endStream())
                    .as("an interim head never ends the stream")
                    .isFalse();

            h2.data(1, "abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII), true);
            RawH2.Reply reply = h2.replies(List.of(1)).get(1);

            assertThat(reply.status()).isEqualTo("200");
            assertThat(reply.text()).isEqualTo("3");
            assertThat(fixture.origins.get(0).seen).singleElement().matches(r -> !r.headers()
                    .contains("expect"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"app.test", "stream.test"})
    void requestTrailers_neverReachTheOrigin(String host) throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            h2.headers(1, RawH2.request("POST", host, "/count"), false);
            h2.data(1, "abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII), false);
            h2.headers(
                    1,
                    new io.netty.handler.codec.http2.DefaultHttp2Headers()
                            .add("x-forwarded-for", "6.6.6.6")
                            .add("x-checksum", "1"),
                    true);

            RawH2.Reply reply = h2.replies(List.of(1)).get(1);

            assertThat(reply.status()).isEqualTo("200");
            assertThat(reply.text()).isEqualTo("3");
            assertThat(fixture.origins.get(0).trailers).singleElement().matches(t -> t.isEmpty());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"app.test", "stream.test"})
    void postBody_isStreamedToTheOrigin_buffered_orNot(String host) throws Exception {
        ProxySettings settings =
                ProxySettings.builder().maxRequestBodyBytes(4 * 1024 * 1024).build();
        byte[] body = new byte[600 * 1024];
        new java.util.Random(7).nextBytes(body);
        CRC32 crc = new CRC32();
        crc.update(body);
        try (RawH2 h2 = connect(settings)) {
            h2.headers(1, RawH2.request("POST", host, "/crc"), false);
            // The stream window is 256 KiB: the rest is sent as the proxy hands out window updates.
            sendWithinWindow(h2, 1, body);

            RawH2.Reply reply = h2.replies(List.of(1)).get(1);

            assertThat(reply.status()).isEqualTo("200");
            assertThat(reply.text()).isEqualTo(body.length + " " + Long.toHexString(crc.getValue()));
        }
    }

    /** Sends {@code body} in 16 KiB DATA frames, waiting for WINDOW_UPDATEs whenever the window is spent. */
    private static void sendWithinWindow(RawH2 h2, int stream, byte[] body) throws Exception {
        long streamWindow = H2Pipeline.STREAM_WINDOW; // the server's SETTINGS
        long connectionWindow = 65_535;
        int at = 0;
        while (at < body.length) {
            int n = (int) Math.min(Math.min(16 * 1024, body.length - at), Math.min(streamWindow, connectionWindow));
            if (n == 0) {
                RawH2.Frame f = h2.read();
                assertThat(f).as("connection closed while sending").isNotNull();
                if (f.type() == RawH2.WINDOW_UPDATE) {
                    long inc = ((f.payload()[0] & 0x7fL) << 24)
                            | ((f.payload()[1] & 0xff) << 16)
                            | ((f.payload()[2] & 0xff) << 8)
                            | (f.payload()[3] & 0xff);
                    if (f.stream() == 0) {
                        connectionWindow += inc;
                    } else if (f.stream() == stream) {
                        streamWindow += inc;
                    }
                } else if (f.type() == RawH2.SETTINGS && (f.flags() & 1) == 0) {
                    h2.frame(RawH2.SETTINGS, 1, 0, new byte[0]);
                }
                continue;
            }
            byte[] chunk = java.util.Arrays.copyOfRange(body, at, at + n);
            at += n;
            h2.data(stream, chunk, at == body.length);
            streamWindow -= n;
            connectionWindow -= n;
        }
    }

    @Test
    void manyConcurrentStreams_onOneConnection_allAnswered() throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            List<Integer> streams = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                int id = 1 + 2 * i;
                streams.add(id);
                h2.headers(id, RawH2.request("GET", "app.test", "/echo?n=" + i), true);
            }

            Map<Integer, RawH2.Reply> replies = h2.replies(streams);

            for (int i = 0; i < 60; i++) {
                RawH2.Reply r = replies.get(1 + 2 * i);
                assertThat(r.status()).isEqualTo("200");
                assertThat(r.text()).contains("uri=/echo?n=" + i + "\n");
            }
            assertThat(fixture.origins.get(0).requests.get()).isEqualTo(60);
        }
    }

    @Test
    void aStreamWhoseClientDoesNotRead_stopsOnlyItsOwnOriginReads() throws Exception {
        long size = 64L * 1024 * 1024;
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            h2.windowUpdate(0, Integer.MAX_VALUE - 65_535); // the connection never limits; stream 1 keeps 64 KiB
            h2.headers(1, RawH2.request("GET", "app.test", "/big?bytes=" + size), true);
            await().until(() -> fixture.origins.get(0).streamedBytes.get() > 0);
            h2.headers(3, RawH2.request("GET", "app.test", "/echo"), true);

            // Stream 1's DATA is read and never acknowledged; stream 3 is answered all the same.
            assertThat(h2.replies(List.of(3)).get(3).status()).isEqualTo("200");
            h2.headers(5, RawH2.request("GET", "app.test", "/echo"), true);
            assertThat(h2.replies(List.of(5)).get(5).status()).isEqualTo("200");

            // The origin of stream 1 was held back: socket buffers' worth, not the 64 MiB it has to send.
            assertThat(fixture.origins.get(0).streamedBytes.get()).isLessThan(size / 2);
        }
    }

    @Test
    void admissionReplies_areTheSameAsOnHttp11() throws Exception {
        ProxySettings settings =
                ProxySettings.builder().maxRequestBodyBytes(1000).build();
        try (RawH2 h2 = connect(settings)) {
            h2.headers(1, RawH2.request("GET", "nowhere.test", "/"), true);
            h2.headers(3, RawH2.request("GET", "empty.test", "/"), true);
            h2.headers(5, RawH2.request("GET", "secure.test", "/x"), true);
            h2.headers(7, RawH2.request("POST", "app.test", "/count").add("content-length", "5000"), false);

            Map<Integer, RawH2.Reply> replies = h2.replies(List.of(1, 3, 5, 7));

            assertThat(replies.get(1).status()).isEqualTo("404");
            assertThat(replies.get(3).status()).isEqualTo("503");
            assertThat(replies.get(5).status()).isEqualTo("308");
            assertThat(replies.get(5).head.get("location").toString()).startsWith("https://secure.test");
            assertThat(replies.get(7).status()).isEqualTo("413");
            assertThat(fixture.origins.get(0).requests.get()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "connection: keep-alive",
                "keep-alive: 5",
                "proxy-connection: x",
                "transfer-encoding: chunked",
                "upgrade: websocket",
                "te: gzip",
                "X-Upper: 1",
                "x-v: a\rb",
                "x-v: a\nb",
                "x-v: a\u0000b",
                "x-v: a\u0001b",
                "x-v: a\u007fb",
                "x-v:  lead",
                "host: other.test"
            })
    void malformedOrConnectionSpecificFields_resetTheStream_andForwardNothing(String field) throws Exception {
        int colon = field.indexOf(':');
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            Http2Headers headers = RawH2.request("GET", "app.test", "/echo")
                    .add(field.substring(0, colon), field.substring(colon + 2));
            h2.headers(1, headers, true);
            h2.headers(3, RawH2.request("GET", "app.test", "/echo"), true);

            Map<Integer, RawH2.Reply> replies = h2.replies(List.of(1, 3));

            assertThat(replies.get(1).status()).isNull();
            assertThat(replies.get(1).reset).isEqualTo(1L); // PROTOCOL_ERROR
            assertThat(replies.get(3).status()).isEqualTo("200"); // the connection carries on
            assertThat(fixture.origins.get(0).seen).hasSize(1);
        }
    }

    /**
     * A target with a control byte never reaches an origin or a log: a malformed head (RFC 9113 §8.1.1: the value
     * check refuses controls other than HTAB) resets the stream; HTAB passes that check and gets the 400 of HTTP/1.1's
     * admission ({@code Requests.check}). A {@code :path} must be origin-form, or {@code *} for OPTIONS (§8.3.1): an
     * absolute URI there would route by its own host rather than {@code :authority}, so it resets the stream too.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "GET, /a\u0001b, reset 1",
        "GET, /a\u001bb, reset 1",
        "GET, /a\u007fb, reset 1",
        "GET, /a\tb, 400",
        "GET, http://app.test/echo, reset 1",
        "GET, echo, reset 1",
        "OPTIONS, *, 200",
        "GET, /echo, 200"
    })
    void aPathThatIsNotUsable_isRefused_andForwardsNothing(String method, String path, String outcome)
            throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            h2.headers(1, RawH2.request(method, "app.test", path), true);
            h2.headers(3, RawH2.request("GET", "app.test", "/echo"), true);

            Map<Integer, RawH2.Reply> replies = h2.replies(List.of(1, 3));

            RawH2.Reply first = replies.get(1);
            assertThat(first.status() == null ? "reset " + first.reset : first.status())
                    .isEqualTo(outcome);
            assertThat(replies.get(3).status()).isEqualTo("200"); // the connection carries on
            assertThat(fixture.origins.get(0).seen).hasSize(outcome.equals("200") ? 2 : 1);
        }
    }

    @Test
    void aStreamTheClientLeavesOpen_isResetOnceAnswered_soItHoldsNoSlot() throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            // A body-less request (length 0) whose stream the client never ends.
            h2.headers(1, RawH2.request("GET", "app.test", "/echo").add("content-length", "0"), false);

            assertThat(h2.replies(List.of(1)).get(1).status()).isEqualTo("200");
            RawH2.Frame next = h2.read();
            while (next != null && next.type() != RawH2.RST_STREAM) {
                next = h2.read();
            }
            assertThat(next).isNotNull();
            assertThat(next.stream()).isEqualTo(1);
        }
    }

    /**
     * H2.CL request smuggling: a content-length that disagrees with the DATA the stream carries must not reach an
     * HTTP/1.1 origin as framing, or the surplus (or the next request, when short) is read there as a request of
     * its own. The stream is reset and nothing after it on the origin connection is misread.
     */
    @ParameterizedTest(name = "content-length {0}")
    @ValueSource(ints = {5, 400})
    void aContentLengthTheDataDisagreesWith_resetsTheStream_andNothingIsSmuggled(int declared) throws Exception {
        byte[] body = ("hello" + "GET /smuggled HTTP/1.1\r\nHost: app.test\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            h2.headers(
                    1,
                    RawH2.request("POST", "app.test", "/echo").add("content-length", String.valueOf(declared)),
                    false);
            h2.data(1, body, true);
            h2.headers(3, RawH2.request("GET", "app.test", "/echo?after"), true);

            Map<Integer, RawH2.Reply> replies = h2.replies(List.of(1, 3));

            assertThat(replies.get(1).status()).isNull();
            assertThat(replies.get(1).reset).isEqualTo(1L); // PROTOCOL_ERROR
            assertThat(replies.get(3).status()).isEqualTo("200");
            assertThat(fixture.origins.get(0).seen)
                    .extracting(HttpRequest::uri)
                    .doesNotContain("/smuggled")
                    .contains("/echo?after");
        }
    }

    @Test
    void teTrailers_isAllowed() throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            h2.headers(1, RawH2.request("GET", "app.test", "/echo").add("te", "trailers"), true);
            assertThat(h2.replies(List.of(1)).get(1).status()).isEqualTo("200");
        }
    }

    /** Small helper so a failing assertion names what the origin saw. */
    private static final class HttpRequestAssert {
        static void single(TestOrigin origin) {
            assertThat(origin.seen).hasSize(1);
        }
    }
}
