package dev.usher.proxy;

import dev.usher.routing.Cors;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's CORS ({@code enable-cors}) in the data plane. A preflight - {@code OPTIONS} with {@code Origin} and
 * {@code Access-Control-Request-Method} - from an allowed origin is answered here with 204 and the
 * {@code Access-Control-*} fields, never reaching the origin (a preflight from an origin not allowed goes on to the
 * origin untouched, as in ingress-nginx). Other responses of the route get the same fields, replacing the origin's,
 * when the request's {@code Origin} is allowed; a listed origin is echoed, never an arbitrary one, and
 * {@code Vary: Origin} tells caches the answer depends on it. All values were validated by the translator.
 */
final class CorsHeaders {

    private CorsHeaders() {}

    /** Whether {@code request} is a CORS preflight. */
    static boolean preflight(HttpRequest request) {
        return HttpMethod.OPTIONS.equals(request.method())
                && request.headers().contains(HttpHeaderNames.ORIGIN)
                && request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    }

    /** The preflight's fields for {@code request}, or {@code null} when its origin is not allowed. */
    static @Nullable HttpHeaders preflightFields(Cors cors, HttpRequest request) {
        Cors.Allowed allowed = cors.allow(request.headers().get(HttpHeaderNames.ORIGIN));
        if (allowed == null) {
            return null;
        }
        HttpHeaders fields = new DefaultHttpHeaders();
        add(fields, cors, allowed);
        return fields;
    }

    /** Usher's 204 answer to a preflight, with {@code fields}. */
    static FullHttpResponse preflightReply(HttpHeaders fields, boolean close) {
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
        // no Content-Length: a 204 has no body and RFC 9110 §8.6 forbids the field on it (ingress-nginx sends 0)
        response.headers().set(fields).set(HttpHeaderNames.SERVER, ErrorResponses.SERVER);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** Adds the CORS fields to a proxied response of a CORS route ({@code allowed} null: origin not allowed). */
    static void addToResponse(HttpHeaders headers, Cors cors, Cors.@Nullable Allowed allowed) {
        if (allowed != null) {
            add(headers, cors, allowed);
        } else if (!cors.allowOrigins().equals(List.of("*"))) {
            headers.add(HttpHeaderNames.VARY, "Origin"); // the answer would differ for another Origin
        }
    }

    private static void add(HttpHeaders headers, Cors cors, Cors.Allowed allowed) {
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowed.origin());
        if (allowed.credentials()) {
            headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        } else {
            headers.remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS); // never "*" with an origin's "true"
        }
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, cors.allowMethods());
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, cors.allowHeaders());
        if (!cors.exposeHeaders().isEmpty()) {
            headers.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, cors.exposeHeaders());
        }
        headers.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, cors.maxAge());
        if (!allowed.origin().equals("*")) {
            headers.add(HttpHeaderNames.VARY, "Origin");
        }
    }
}
