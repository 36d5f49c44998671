package dev.usher.proxy;

import dev.usher.routing.Route;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** Rewrites a client's request head, in place, into the one sent to the origin. */
final class RequestHeads {

    private RequestHeads() {
    }

    /**
     * Removes hop-by-hop fields, re-frames ({@code Content-Length} kept, else chunked when the client chunked), adds
     * the forwarding fields, applies the route's rewrite and speaks HTTP/1.1 upstream. An upgrade request keeps its
     * {@code Upgrade} and {@code Connection: upgrade} (RFC 9110 §7.8), since the origin must see them.
     *
     * @return whether this is an upgrade request (WebSocket or other)
     */
    static boolean prepare(HttpRequest request, Route route, Requests.Target target, RequestRecord record,
            ClientConnection conn) {
        HttpHeaders headers = request.headers();
        String upgradeTo = headers.get(HttpHeaderNames.UPGRADE);
        boolean upgrade = upgradeTo != null && HeaderRules.connectionHas(headers, HttpHeaderValues.UPGRADE);
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        HeaderRules.removeHopByHop(headers);
        if (upgrade) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE).set(HttpHeaderNames.UPGRADE, upgradeTo);
        }
        if (chunked) {
            HttpUtil.setTransferEncodingChunked(request, true);
        }
        record.requestId(ForwardedHeaders.apply(headers, conn, record.clientIp(), target.host()));
        request.setUri(target.path().equals("*") ? "*" : route.upstreamUri(target.path()));
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        return upgrade;
    }
}
