package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.EmptyHttp2Headers;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link H2ResponseHeads} gives what Netty's {@code HttpConversionUtil.toHttp2Headers(..., true)} gives for response
 * heads and trailers: the same fields in the same order with the same values, or the same kind of failure. Heads are
 * built without validation, so that what an origin's decoder would refuse first is compared too; names are {@link
 * AsciiString}s in the case an origin sent them, as {@link OriginResponseDecoder} gives them, or {@link String}s, as
 * the exchange adds some.
 */
final class H2ResponseHeadsTest {

    private static final HttpResponseStatus CUSTOM = new HttpResponseStatus(299, "Fine Indeed");

    /** Name, value, name, value...; a name starting with {@code $} is added as a {@link String} without it. */
    private static HttpHeaders fields(String... fields) {
        HttpHeaders headers =
                DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
        for (int i = 0; i < fields.length; i += 2) {
            CharSequence name = fields[i].startsWith("$") ? fields[i].substring(1) : AsciiString.of(fields[i]);
            headers.add(name, fields[i + 1]);
        }
        return headers;
    }

    private static HttpResponse head(HttpResponseStatus status, String... fields) {
        HttpResponse response = new DefaultHttpResponse(
                HttpVersion.HTTP_1_1,
                status,
                DefaultHttpHeadersFactory.headersFactory().withValidation(false));
        response.headers().add(fields(fields));
        return response;
    }

    private static HttpResponse ok(String... fields) {
        return head(HttpResponseStatus.OK, fields);
    }

    static Stream<Arguments> heads() {
        return Stream.of(
                Arguments.of(
                        "echo origin",
                        ok(
                                "Content-Type",
                                "text/plain",
                                "Content-Length",
                                "100",
                                "Date",
                                "Mon, 01 Jan 2024 00:00:00 GMT")),
                Arguments.of(
                        "echo origin lower case",
                        ok("content-type", "text/plain", "content-length", "100", "date", "Mon")),
                Arguments.of("names as strings", ok("$Content-Type", "text/plain", "$X-Custom", "1", "$x-lower", "2")),
                Arguments.of("upper-case names", ok("CONTENT-TYPE", "a/b", "X-UNKNOWN-FIELD", "1", "SERVER", "u")),
                Arguments.of("mixed-case unknown", ok("X-Request-Id", "abc", "x-Request-id", "def")),
                Arguments.of("no fields", ok()),
                Arguments.of(
                        "connection nominates",
                        ok("Connection", "X-Foo, close", "X-Foo", "1", "x-bar", "2", "Close", "3", "Keep-Alive", "t")),
                Arguments.of("connection after nominated", ok("x-a", "1", "x-b", "2", "Connection", "x-a")),
                Arguments.of(
                        "two connection fields",
                        ok("Connection", "x-a", "connection", " X-B ,", "x-a", "1", "x-b", "2")),
                Arguments.of("connection nominates te", ok("Connection", "te", "te", "trailers")),
                Arguments.of("connection nominates cookie", ok("Connection", "Cookie", "cookie", "a=1; b=2")),
                Arguments.of(
                        "connection nominates a known name", ok("Connection", "server", "Server", "s", "Date", "d")),
                Arguments.of("connection empty element", ok("Connection", "a,,b", "", "1")),
                Arguments.of("empty connection", ok("Connection", "", "", "1")),
                Arguments.of("empty name", ok("", "1")),
                Arguments.of(
                        "connection-specific",
                        ok(
                                "Keep-Alive",
                                "timeout=5",
                                "Proxy-Connection",
                                "keep-alive",
                                "Transfer-Encoding",
                                "chunked",
                                "Upgrade",
                                "h2c",
                                "Host",
                                "h.test",
                                "x-a",
                                "1")),
                Arguments.of("te trailers", ok("te", "trailers")),
                Arguments.of("te trailers upper, spaced", ok("TE", "  TRAILERS ")),
                Arguments.of("te other", ok("te", "gzip")),
                Arguments.of("te list with trailers", ok("te", "gzip, trailers", "te", "trailers, x")),
                Arguments.of("te list without trailers", ok("te", "gzip, deflate")),
                Arguments.of("te quoted list", ok("te", "\"gzip, x\", trailers")),
                Arguments.of("te malformed list", ok("te", "\"gzip, trailers")),
                Arguments.of("te twice", ok("te", "trailers", "te", "trailers")),
                Arguments.of("cookie crumbs", ok("Cookie", "a=1; b=2; c=3", "x-a", "1")),
                Arguments.of("cookie one crumb", ok("cookie", "a=1")),
                Arguments.of("cookie string", ok("$cookie", "a=1; b=2")),
                Arguments.of("cookie without space", ok("cookie", "a=1;b=2")),
                Arguments.of("cookie trailing semicolon", ok("cookie", "a=1;")),
                Arguments.of("cookie two spaces", ok("cookie", "a=1;  b=2")),
                Arguments.of("cookie non-latin", ok("cookie", "a=\u0100; b=2")),
                Arguments.of("cookie latin-1", ok("cookie", "a=\u00e9; b=2")),
                Arguments.of("cookie empty", ok("cookie", "")),
                Arguments.of("cookie crumb with control", ok("cookie", "a=\u0001; b=2")),
                Arguments.of("cookie with control", ok("cookie", "a=\u0001")),
                Arguments.of("cookie malformed with control", ok("cookie", "a=\u0001;b")),
                Arguments.of("cookies twice", ok("cookie", "a=1; b=2", "Cookie", "c=3")),
                Arguments.of("set-cookie unsplit", ok("Set-Cookie", "a=1; Path=/; HttpOnly", "set-cookie", "b=2")),
                Arguments.of(
                        "multiple values",
                        ok("Vary", "Accept", "x-v", "1", "vary", "Origin", "X-V", "2", "Cache-Control", "no-cache")),
                Arguments.of(
                        "x-http2 fields",
                        ok(
                                "x-http2-stream-id",
                                "3",
                                "X-HTTP2-Scheme",
                                "https",
                                "x-http2-path",
                                "/p",
                                "x-http2-protocol",
                                "websocket",
                                "x-http2-stream-weight",
                                "16",
                                "x-http2-stream-dependency-id",
                                "1",
                                "x-http2-stream-promise-id",
                                "2",
                                "x-http2-other",
                                "kept")),
                Arguments.of("status 100", head(HttpResponseStatus.CONTINUE)),
                Arguments.of("status 103", head(HttpResponseStatus.valueOf(103), "Link", "</a.css>; rel=preload")),
                Arguments.of("status 204", head(HttpResponseStatus.NO_CONTENT, "Server", "usher")),
                Arguments.of("status 304", head(HttpResponseStatus.NOT_MODIFIED, "ETag", "\"x\"")),
                Arguments.of("custom reason", head(CUSTOM, "x-a", "1")),
                Arguments.of("status 599", head(HttpResponseStatus.valueOf(599))),
                Arguments.of("name not a token", ok("x(a)", "1")),
                Arguments.of("name with space", ok("x a", "1")),
                Arguments.of("name with colon", ok("x:a", "1")),
                Arguments.of("pseudo name", ok(":status", "500")),
                Arguments.of("unknown pseudo name", ok(":foo", "1")),
                Arguments.of("name latin-1", ok("x-\u00e9", "1")),
                Arguments.of("name non-latin string", ok("$x-\u0100", "1")),
                Arguments.of("name kelvin sign", ok("$\u212Aeep-alive", "1")),
                Arguments.of("name non-latin nominated", ok("Connection", "x-?", "$x-\u0100", "1")),
                Arguments.of("value with control", ok("x-a", "a\u0001b")),
                Arguments.of("value with DEL", ok("x-a", "a\u007fb")),
                Arguments.of("value with CR LF", ok("x-a", "a\r\nx-b: 1")),
                Arguments.of("value with NUL", ok("x-a", "a\u0000")),
                Arguments.of("value with tab", ok("x-a", "a\tb")),
                Arguments.of("value with leading space", ok("x-a", " a")),
                Arguments.of("value with obs-text", ok("x-a", "caf\u00e9\u00ff")),
                Arguments.of("value non-latin", ok("x-a", "\u0100")),
                Arguments.of("empty value", ok("x-a", "")),
                Arguments.of("invalid after valid", ok("x-a", "1", "x(b)", "2", "x-c", "\u0001")),
                Arguments.of("dropped invalid value", ok("transfer-encoding", "\u0001", "x-a", "1")));
    }

    static Stream<Arguments> trailers() {
        return Stream.of(
                Arguments.of("grpc", fields("grpc-status", "0", "grpc-message", "")),
                Arguments.of("grpc mixed case", fields("Grpc-Status", "13", "Grpc-Message", "boom%20here")),
                Arguments.of("grpc strings", fields("$grpc-status", "0", "$grpc-status-details-bin", "CAE")),
                Arguments.of("empty", fields()),
                Arguments.of("checksum", fields("X-Checksum", "abc", "Server-Timing", "db;dur=53")),
                Arguments.of(
                        "connection-specific", fields("Transfer-Encoding", "chunked", "Connection", "x-a", "x-a", "1")),
                Arguments.of("only dropped", fields("connection", "close")),
                Arguments.of("te", fields("te", "trailers")),
                Arguments.of("cookie", fields("cookie", "a=1; b=2")),
                Arguments.of("invalid value", fields("grpc-message", "a\nb")),
                Arguments.of("invalid name", fields("grpc status", "0")),
                Arguments.of("upper-case unknown", fields("X-Trailer-Field", "v")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("heads")
    void headConvertsAsNetty(String name, HttpResponse response) {
        assertThat(outcome(() -> H2ResponseHeads.response(response)))
                .isEqualTo(outcome(() -> HttpConversionUtil.toHttp2Headers(response, true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trailers")
    void trailersConvertAsNetty(String name, HttpHeaders trailers) {
        assertThat(outcome(() -> H2ResponseHeads.trailers(trailers)))
                .isEqualTo(outcome(() -> HttpConversionUtil.toHttp2Headers(trailers, true)));
    }

    @Test
    void emptyTrailers_areNettysEmptyHeaders() {
        assertThat(H2ResponseHeads.trailers(fields())).isSameAs(EmptyHttp2Headers.INSTANCE);
    }

    /** What Netty leaves unsplit because of its assertion gives the same empty last crumb here when they are off. */
    @Test
    void cookieWithTrailingSeparator_failsNettysAssertion() {
        HttpResponse response = ok("cookie", "a=1; ");
        assertThat(outcome(() -> HttpConversionUtil.toHttp2Headers(response, true)))
                .isEqualTo(AssertionError.class.getName()) // surefire runs with assertions on
                .isEqualTo(outcome(() -> H2ResponseHeads.response(response)));
    }

    /** Known names become Netty's constants whatever their case; unknown ones are lowered only when needed. */
    @Test
    void namesAreConstantsOrLoweredOnce() {
        AsciiString unknown = AsciiString.of("x-lower");
        Http2Headers out = H2ResponseHeads.response(ok("Content-Type", "a/b", "$DATE", "d", "grpc-status", "0"));
        List<CharSequence> names = new ArrayList<>();
        out.forEach(field -> names.add(field.getKey()));
        assertThat(names.get(1)).isSameAs(HttpHeaderNames.CONTENT_TYPE);
        assertThat(names.get(2)).isSameAs(HttpHeaderNames.DATE);
        assertThat(names.get(3)).hasToString("grpc-status");

        HttpResponse response = ok();
        response.headers().add(unknown, "1");
        Http2Headers lower = H2ResponseHeads.response(response);
        assertThat(lower.names()).anySatisfy(name -> assertThat(name).isSameAs(unknown));
    }

    /** Random heads from fields that matter to the conversion, with names in any case and values sometimes malformed. */
    @Test
    void randomHeads_convertAsNetty() {
        String[] names = {
            "Connection",
            "connection",
            "Keep-Alive",
            "Proxy-Connection",
            "Transfer-Encoding",
            "Upgrade",
            "Host",
            "te",
            "TE",
            "cookie",
            "Cookie",
            "$cookie",
            "Content-Type",
            "$content-type",
            "Content-Length",
            "Date",
            "$Server",
            "Vary",
            "x-a",
            "X-A",
            "$X-A",
            "x-b",
            "grpc-status",
            "Grpc-Message",
            "x-http2-stream-id",
            "X-Http2-Path",
            "x-http2-stream-weight",
            "x(a",
            "",
            ":status",
            "x-\u00e9",
            "$x-\u0100"
        };
        String[] values = {
            "",
            "1",
            "a",
            "x-a",
            "X-B, x-a",
            "close",
            "te",
            "cookie, Date",
            " , ",
            "trailers",
            "gzip, trailers",
            "\"trailers",
            "a=1; b=2",
            "a=1;b=2",
            "a=1; ",
            "a\u0001",
            "a\tb",
            "\u00e9",
            "\u0100",
            " a",
            "a=\u0001; b"
        };
        HttpResponseStatus[] statuses = {
            HttpResponseStatus.OK,
            HttpResponseStatus.CONTINUE,
            HttpResponseStatus.NO_CONTENT,
            HttpResponseStatus.NOT_MODIFIED,
            HttpResponseStatus.BAD_GATEWAY,
            CUSTOM
        };
        SplittableRandom random = new SplittableRandom(7);
        int compared = 0;
        for (int run = 0; run < 20_000; run++) {
            List<String> fields = new ArrayList<>();
            for (int n = random.nextInt(9); n > 0; n--) {
                fields.add(names[random.nextInt(names.length)]);
                fields.add(values[random.nextInt(values.length)]);
            }
            String[] array = fields.toArray(String[]::new);
            HttpResponse response = head(statuses[random.nextInt(statuses.length)], array);
            HttpHeaders trailers = fields(array);
            assertThat(outcome(() -> H2ResponseHeads.response(response)))
                    .as("%s", fields)
                    .isEqualTo(outcome(() -> HttpConversionUtil.toHttp2Headers(response, true)));
            assertThat(outcome(() -> H2ResponseHeads.trailers(trailers)))
                    .as("trailers %s", fields)
                    .isEqualTo(outcome(() -> HttpConversionUtil.toHttp2Headers(trailers, true)));
            compared++;
        }
        assertThat(compared).isEqualTo(20_000);
    }

    /** The fields as text, each name and value with its type, or the kind of failure (and what it wraps). */
    private static String outcome(Supplier<Http2Headers> conversion) {
        Http2Headers headers;
        try {
            headers = conversion.get();
        } catch (Throwable e) { // Netty throws Http2Exception unchecked from its name validation, and AssertionError
            if (e instanceof Http2Exception h2) {
                return e.getClass().getName() + ' ' + h2.error();
            }
            return e.getClass().getName()
                    + (e.getCause() == null
                            ? ""
                            : " caused by " + e.getCause().getClass().getName());
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            text.append(field.getKey())
                    .append(" (")
                    .append(field.getKey().getClass().getSimpleName())
                    .append("): ")
                    .append(field.getValue())
                    .append(" (")
                    .append(field.getValue().getClass().getSimpleName())
                    .append(")\n");
        }
        return text.toString();
    }
}
