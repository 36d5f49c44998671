package dev.usher.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What Usher knows of gRPC (<a href="https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md">the
 * protocol</a>): which requests are gRPC calls, the {@code grpc-timeout} they carry, and the trailers-only answer
 * that replaces Usher's own error response for them, as Envoy's local replies do.
 */
final class Grpc {

    static final int UNKNOWN = 2;
    static final int DEADLINE_EXCEEDED = 4;
    static final int PERMISSION_DENIED = 7;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int UNIMPLEMENTED = 12;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;
    static final int UNAUTHENTICATED = 16;

    private static final int MAX_TIMEOUT_DIGITS = 8;

    private Grpc() {}

    /** {@code content-type: application/grpc}, optionally {@code +proto}, {@code +json}... or with parameters. */
    static boolean isCall(HttpHeaders headers) {
        String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null || !type.regionMatches(true, 0, "application/grpc", 0, 16)) {
            return false;
        }
        return type.length() == 16 || type.charAt(16) == '+' || type.charAt(16) == ';';
    }

    /**
     * The gRPC status of one of Usher's own HTTP errors: the spec's HTTP mapping (404 unimplemented, 401, 403, 429 and
     * 502/503 unavailable), except that Usher's 504 is its own timeout (deadline exceeded) and a request over a size
     * limit (413, 414, 431) is resource exhausted.
     */
    static int status(HttpResponseStatus http) {
        return switch (http.code()) {
            case 400 -> INTERNAL;
            case 401 -> UNAUTHENTICATED;
            case 403 -> PERMISSION_DENIED;
            case 404 -> UNIMPLEMENTED;
            case 413, 414, 431 -> RESOURCE_EXHAUSTED;
            case 429, 502, 503 -> UNAVAILABLE;
            case 504 -> DEADLINE_EXCEEDED;
            default -> UNKNOWN;
        };
    }

    /**
     * A trailers-only response: HTTP 200 whose head carries {@code grpc-status} and {@code grpc-message} and nothing
     * follows (on HTTP/2 one HEADERS frame with END_STREAM; on HTTP/1.1 a 200 with {@code Content-Length: 0}).
     */
    static FullHttpResponse trailersOnly(HttpResponseStatus cause, String detail, boolean close) {
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
                .set("grpc-status", Integer.toString(status(cause)))
                .set("grpc-message", percentEncode(cause.code() + " " + cause.reasonPhrase() + ": " + detail))
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0)
                .set(HttpHeaderNames.SERVER, ErrorResponses.SERVER);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** grpc-message's encoding: UTF-8, every byte outside printable ASCII and {@code %} as {@code %XX}. */
    static String percentEncode(String message) {
        StringBuilder out = new StringBuilder(message.length());
        for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
            if (b >= 0x20 && b < 0x7f && b != '%') {
                out.append((char) b);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /**
     * The call's {@code grpc-timeout} in nanoseconds, or -1 when there is none or it is malformed (then it is ignored,
     * as Envoy does): 1 to 8 ASCII digits and one unit, {@code H M S m u n}.
     */
    static long timeoutNanos(HttpHeaders headers) {
        if (!isCall(headers)) {
            return -1;
        }
        String value = headers.get("grpc-timeout");
        if (value == null || value.length() < 2 || value.length() > MAX_TIMEOUT_DIGITS + 1) {
            return -1;
        }
        long amount = 0;
        for (int i = 0; i < value.length() - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            amount = amount * 10 + (c - '0');
        }
        return switch (value.charAt(value.length() - 1)) {
            case 'H' -> TimeUnit.HOURS.toNanos(amount);
            case 'M' -> TimeUnit.MINUTES.toNanos(amount);
            case 'S' -> TimeUnit.SECONDS.toNanos(amount);
            case 'm' -> TimeUnit.MILLISECONDS.toNanos(amount);
            case 'u' -> TimeUnit.MICROSECONDS.toNanos(amount);
            case 'n' -> amount;
            default -> -1;
        };
    }
}
