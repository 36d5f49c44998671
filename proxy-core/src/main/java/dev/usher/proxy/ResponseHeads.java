package dev.usher.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;

/** Rewrites an origin's response head for the client: hop-by-hop fields out, {@code Server} in, re-framed. */
final class ResponseHeads {

    private static final AsciiString STRICT_TRANSPORT_SECURITY = AsciiString.cached("strict-transport-security");

    private ResponseHeads() {}

    /** A 1xx other than 101: hop-by-hop fields removed, sent as HTTP/1.1. */
    static void interim(HttpResponse response) {
        HeaderRules.removeHopByHop(response.headers());
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    /**
     * Prepares a final response head and returns whether the client connection stays open after it.
     *
     * <p>{@code Content-Length} is kept when the origin sent one. Otherwise a body of unknown length is chunked for an
     * HTTP/1.1 client, and delimited by closing the connection for an HTTP/1.0 one (RFC 9112 §6.3). Responses to HEAD,
     * and 204/304, have no body whatever they announce.
     */
    static boolean prepare(HttpResponse response, boolean headRequest, boolean http10, boolean keepAlive) {
        HttpHeaders headers = response.headers();
        int code = response.status().code();
        boolean bodyless = headRequest || code == 204 || code == 304;
        HeaderRules.removeHopByHop(headers);
        boolean hasLength = headers.contains(HttpHeaderNames.CONTENT_LENGTH); // framing derived after the edits
        if (!headers.contains(HttpHeaderNames.SERVER)) {
            headers.set(HttpHeaderNames.SERVER, ErrorResponses.SERVER);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        boolean keep = keepAlive;
        if (!bodyless && !hasLength) {
            if (http10) {
                keep = false;
            } else {
                HttpUtil.setTransferEncodingChunked(response, true);
            }
        }
        if (!keep) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return keep;
    }

    /** Adds {@code Strict-Transport-Security} (RFC 6797 §7.1: HTTPS responses only) unless off or the origin set it. */
    static void addHsts(HttpResponse response, @Nullable String hsts) {
        if (hsts != null && !response.headers().contains(STRICT_TRANSPORT_SECURITY)) {
            response.headers().set(STRICT_TRANSPORT_SECURITY, hsts);
        }
    }
}
