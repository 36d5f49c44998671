package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link H2Heads} gives what Netty's {@code toHttpRequest(id, headers, true)} and {@link
 * H2StreamCodec#removeConversionFields} gave: the same request line and fields in the same order, or the same kind of
 * failure. Heads are built without validation, so that what the HPACK decoder or {@link H2HeaderCheck} would refuse
 * first is compared too; names are {@link AsciiString}s, as the decoder gives them.
 */
final class H2HeadsTest {

    private static final int ID = 3;

    /** Name, value, name, value...: pseudo-fields first, as {@link DefaultHttp2Headers} orders them anyway. */
    private static Http2Headers head(String... fields) {
        Http2Headers headers = new DefaultHttp2Headers(false);
        for (int i = 0; i < fields.length; i += 2) {
            headers.add(AsciiString.of(fields[i]), AsciiString.of(fields[i + 1]));
        }
        return headers;
    }

    private static Http2Headers get(String... more) {
        List<String> fields = new ArrayList<>(
                List.of(":method", "GET", ":scheme", "https", ":authority", "app.test", ":path", "/x?y=1"));
        fields.addAll(List.of(more));
        return head(fields.toArray(String[]::new));
    }

    static Stream<Arguments> heads() {
        return Stream.of(
                Arguments.of("plain GET", get("accept", "*/*", "user-agent", "t/1")),
                Arguments.of("no fields", get()),
                Arguments.of(
                        "cookie crumbs",
                        get("cookie", "a=1", "accept", "*/*", "cookie", "b=2", "x-a", "1", "cookie", "c=3")),
                Arguments.of("one cookie", get("cookie", "a=1; b=2")),
                Arguments.of("empty crumb first", get("cookie", "", "cookie", "a=1", "cookie", "b=2")),
                Arguments.of("empty crumb last", get("cookie", "a=1", "cookie", "")),
                Arguments.of("empty crumbs only", get("cookie", "", "cookie", "")),
                Arguments.of("one empty cookie", get("cookie", "")),
                Arguments.of(
                        "multiple values",
                        get("accept", "text/html", "x-v", "1", "accept", "*/*", "x-v", "2", "x-v", "3")),
                Arguments.of("authority and same host", get("host", "APP.test")),
                Arguments.of("authority and other host", get("host", "evil.test")),
                Arguments.of("authority and two hosts", get("host", "app.test", "host", "evil.test")),
                Arguments.of("host only", head(":method", "GET", ":scheme", "http", ":path", "/", "host", "h.test")),
                Arguments.of(
                        "two equal hosts only",
                        head(":method", "GET", ":scheme", "http", ":path", "/", "host", "h.test", "host", "H.test")),
                Arguments.of(
                        "two different hosts only",
                        head(":method", "GET", ":scheme", "http", ":path", "/", "host", "h.test", "host", "i.test")),
                Arguments.of("no authority nor host", head(":method", "GET", ":scheme", "http", ":path", "/")),
                Arguments.of("te trailers", get("te", "trailers", "content-type", "application/grpc")),
                Arguments.of("content-length", get("content-length", "12")),
                Arguments.of(
                        "absolute-form path",
                        head(
                                ":method",
                                "GET",
                                ":scheme",
                                "https",
                                ":authority",
                                "a.test",
                                ":path",
                                "https://b.test/p?q")),
                Arguments.of(
                        "asterisk", head(":method", "OPTIONS", ":scheme", "https", ":authority", "a", ":path", "*")),
                Arguments.of("CONNECT", head(":method", "CONNECT", ":authority", "db.test:5432", "x-a", "1")),
                Arguments.of("connect lower case", head(":method", "connect", ":authority", "db.test:5432")),
                Arguments.of(
                        "extended CONNECT",
                        head(
                                ":method",
                                "CONNECT",
                                ":protocol",
                                "websocket",
                                ":scheme",
                                "https",
                                ":authority",
                                "a.test",
                                ":path",
                                "/chat",
                                "sec-websocket-version",
                                "13")),
                Arguments.of("CONNECT without authority", head(":method", "CONNECT", ":path", "/")),
                Arguments.of("CONNECT authority with space", head(":method", "CONNECT", ":authority", "a b:1")),
                Arguments.of(
                        "CONNECT :path with control",
                        head(":method", "CONNECT", ":authority", "a:1", ":path", "/\u0001")),
                Arguments.of(
                        "CONNECT :protocol with control",
                        head(":method", "CONNECT", ":authority", "a:1", ":protocol", "w\u0001")),
                Arguments.of("GET :protocol with control", get(":protocol", "w\u0001")),
                Arguments.of(
                        "client x-http2 fields",
                        get(
                                "x-http2-stream-id",
                                "99",
                                "x-http2-scheme",
                                "ftp",
                                "X-HTTP2-Path",
                                "/p",
                                "x-http2-",
                                "k",
                                "x-http2-protocol",
                                "p",
                                "x-http2-stream-weight",
                                "1",
                                "x-http2-other",
                                "kept")),
                Arguments.of("client x-http2 field with control", get("x-http2-stream-id", "\u0001")),
                Arguments.of("trailer field", get("trailer", "grpc-status", "x-a", "1")),
                Arguments.of("trailer field with control", get("trailer", "a\u0001")),
                Arguments.of(
                        "connection-specific", get("transfer-encoding", "chunked", "connection", "close", "x-a", "1")),
                Arguments.of("upper-case field", get("X-Upper", "1", "HOST", "app.test")),
                Arguments.of("value with control", get("x-a", "a\u0001b")),
                Arguments.of("value with DEL", get("x-a", "a\u007fb")),
                Arguments.of("value with CR LF", get("x-a", "a\r\nx-b: 1")),
                Arguments.of("value with tab", get("x-a", "a\tb")),
                Arguments.of("value with leading space", get("x-a", " a")),
                Arguments.of("value with trailing space", get("x-a", "a ")),
                Arguments.of("value with obs-text", get("x-a", "caf\u00e9\u00ff")),
                Arguments.of("empty value", get("x-a", "")),
                Arguments.of("cookie with control", get("cookie", "a=1", "cookie", "b=\u0001")),
                Arguments.of("cookie crumb with leading space", get("cookie", "", "cookie", " b=1")),
                Arguments.of("name not a token", get("x(a)", "1")),
                Arguments.of("name with space", get("x a", "1")),
                Arguments.of("empty name", get("", "1")),
                Arguments.of("unknown pseudo-field", get(":foo", "1")),
                Arguments.of("status in a request", get(":status", "200")),
                Arguments.of("scheme with control", head(":method", "GET", ":scheme", "h\u0001", ":path", "/")),
                Arguments.of("empty scheme", head(":method", "GET", ":scheme", "", ":path", "/")),
                Arguments.of("authority with control", head(":method", "GET", ":authority", "a\u0001", ":path", "/")),
                Arguments.of("path with space", head(":method", "GET", ":path", "/a b")),
                Arguments.of("path with LF", head(":method", "GET", ":path", "/a\nb")),
                Arguments.of("path with control", head(":method", "GET", ":path", "/a\u0001b")),
                Arguments.of("method not a token", head(":method", "G T", ":path", "/")),
                Arguments.of("custom method", head(":method", "PROPFIND", ":path", "/dav")),
                Arguments.of("no path", head(":method", "GET", ":authority", "a")),
                Arguments.of("no method", head(":path", "/", ":authority", "a")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("heads")
    void convertsAsNettyAndRemoveConversionFields(String name, Http2Headers headers) {
        assertThat(outcome(() -> H2Heads.request(ID, headers))).isEqualTo(outcome(() -> netty(headers)));
    }

    /** Random heads from fields that matter to the conversion, with values that are sometimes malformed. */
    @Test
    void randomHeads_convertAsNetty() {
        String[] names = {
            "cookie",
            "cookie",
            "host",
            "Host",
            "te",
            "trailer",
            "connection",
            "transfer-encoding",
            "content-length",
            "x-http2-scheme",
            "x-http2-path",
            "x-a",
            "x-a",
            "x(a",
            "",
            ":foo",
            ":status",
            ":protocol",
            ":path",
            ":authority",
            "accept",
            "x-http2-x"
        };
        String[] values = {"", "a", "A", "a=1", " a", "a ", "a\u0001", "a\tb", "\u00e9", "trailers", "1", "/p", "a b"};
        String[] methods = {"GET", "POST", "CONNECT", "connect", "OPTIONS", "G T"};
        String[] paths = {"/", "*", "/a?b", "https://x.test/", "/a b", "/\u0001"};
        SplittableRandom random = new SplittableRandom(42);
        for (int run = 0; run < 20_000; run++) {
            List<String> fields = new ArrayList<>();
            if (random.nextInt(30) != 0) {
                fields.addAll(List.of(":method", methods[random.nextInt(methods.length)]));
            }
            if (random.nextInt(3) != 0) {
                fields.addAll(List.of(":scheme", random.nextInt(10) == 0 ? "h\u0001" : "https"));
            }
            if (random.nextInt(4) != 0) {
                fields.addAll(List.of(":authority", random.nextBoolean() ? "a" : "b"));
            }
            if (random.nextInt(20) != 0) {
                fields.addAll(List.of(":path", paths[random.nextInt(paths.length)]));
            }
            for (int n = random.nextInt(8); n > 0; n--) {
                fields.add(names[random.nextInt(names.length)]);
                fields.add(values[random.nextInt(values.length)]);
            }
            Http2Headers headers = head(fields.toArray(String[]::new));
            assertThat(outcome(() -> H2Heads.request(ID, headers)))
                    .as("%s", fields)
                    .isEqualTo(outcome(() -> netty(headers)));
        }
    }

    private static HttpRequest netty(Http2Headers headers) throws Http2Exception {
        HttpRequest request = HttpConversionUtil.toHttpRequest(ID, headers, true);
        H2StreamCodec.removeConversionFields(request.headers());
        return request;
    }

    private interface Conversion {
        HttpRequest convert() throws Http2Exception;
    }

    /** The request line and fields as text, or the kind of failure (a stream error's code and stream). */
    private static String outcome(Conversion conversion) {
        HttpRequest request;
        try {
            request = conversion.convert();
        } catch (Http2Exception.StreamException e) {
            return "stream error " + e.error() + " on " + e.streamId();
        } catch (Exception e) {
            return e.getClass().getName();
        }
        StringBuilder text = new StringBuilder()
                .append(request.method().name())
                .append(' ')
                .append(request.uri())
                .append(' ')
                .append(request.protocolVersion())
                .append('\n');
        for (Map.Entry<String, String> field : request.headers()) {
            text.append(field.getKey()).append(": ").append(field.getValue()).append('\n');
        }
        return text.toString();
    }
}
