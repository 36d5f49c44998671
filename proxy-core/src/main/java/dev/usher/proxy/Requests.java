package dev.usher.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Pure checks and parsing of a decoded request head, before it is routed. */
final class Requests {

    /** Where a request goes: the host that routes it and the origin-form target (path and query). */
    record Target(@Nullable String host, String path) {}

    /** A refusal: status and a short reason for the body. */
    record Refusal(HttpResponseStatus status, String reason) {}

    private Requests() {}

    /**
     * Version, framing and target problems, or {@code null}.
     *
     * <ul>
     *   <li>Only HTTP/1.0 and HTTP/1.1 are spoken on this codec: another version gets 505 (RFC 9110 §15.6.6).
     *   <li>RFC 9112 §6.1: any {@code Transfer-Encoding} in HTTP/1.0 has unknowable framing (400). Any value other than
     *       exactly {@code chunked} gets 501, as nginx answers: Usher implements no other coding, and forwarding a body
     *       while silently dropping a coding the client applied would hand the origin different bytes.
     *   <li>A {@code Connection} field naming {@code Content-Length}, {@code Transfer-Encoding} or {@code Host} would
     *       have the hop-by-hop rules strip the body's framing or the routing host (RFC 9110 §7.6.1 lets a client name
     *       any field): refused like every other smuggling shape.
     *   <li>RFC 9112 §3.2: an HTTP/1.1 request needs exactly one {@code Host}; control bytes in the target are refused.
     * </ul>
     */
    static @Nullable Refusal check(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (version != HttpVersion.HTTP_1_0 && version != HttpVersion.HTTP_1_1) {
            return new Refusal(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "version not supported");
        }
        HttpHeaders headers = request.headers();
        Refusal coding = transferEncoding(request);
        if (coding != null) {
            return coding;
        }
        if (HeaderRules.namesProtected(headers, HeaderRules.REQUEST_PROTECTED) != null) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "Connection names a framing or routing field");
        }
        if (request.method() == HttpMethod.CONNECT) {
            return new Refusal(HttpResponseStatus.METHOD_NOT_ALLOWED, "CONNECT is not supported");
        }
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "more than one Host");
        }
        if (version != HttpVersion.HTTP_1_0 && hosts.isEmpty() && request.uri().startsWith("/")) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "missing Host");
        }
        if (!RequestSyntax.targetBytesValid(request.uri())) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "control character in the request target");
        }
        return null;
    }

    /**
     * The {@code Transfer-Encoding} refusal of a request, or {@code null}: 400 in HTTP/1.0, 501 for anything but
     * exactly one {@code chunked}. Also applied to heads that Netty's decoder already failed on their codings (it
     * refuses {@code chunked, gzip} and {@code gzip} itself), so that they get 501 as well.
     */
    static @Nullable Refusal transferEncoding(HttpRequest request) {
        if (!request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return null; // most requests: no list made
        }
        if (request.protocolVersion() == HttpVersion.HTTP_1_0) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "Transfer-Encoding in HTTP/1.0");
        }
        if (!HeaderRules.chunkedOnly(request.headers())) {
            return new Refusal(HttpResponseStatus.NOT_IMPLEMENTED, "Transfer-Encoding other than chunked");
        }
        return null;
    }

    /**
     * The routing host and origin-form target; for an absolute-form target its authority wins over {@code Host}
     * (RFC 9112 §3.2.2) and replaces it. Returns {@code null} for a target of no known form.
     */
    static @Nullable Target target(HttpRequest request) {
        String uri = request.uri();
        if (uri.startsWith("/")) {
            return new Target(request.headers().get(HttpHeaderNames.HOST), uri);
        }
        if ("*".equals(uri) && request.method() == HttpMethod.OPTIONS) {
            return new Target(request.headers().get(HttpHeaderNames.HOST), uri);
        }
        String lower = uri.toLowerCase(Locale.ROOT);
        int schemeEnd = lower.startsWith("http://") ? 7 : lower.startsWith("https://") ? 8 : -1;
        if (schemeEnd < 0) {
            return null;
        }
        int end = schemeEnd;
        while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?' && uri.charAt(end) != '#') {
            end++;
        }
        String authority = uri.substring(schemeEnd, end);
        if (authority.isEmpty()) {
            return null; // userinfo (RFC 9110 §4.2.4: treat it as an error) fails RequestSyntax.hostValid later
        }
        String rest = uri.substring(end);
        String path = rest.isEmpty() ? "/" : rest.charAt(0) == '?' ? "/" + rest : rest;
        request.headers().set(HttpHeaderNames.HOST, authority);
        return new Target(authority, path);
    }

    /** Whether a body follows the head (RFC 9112 §6.3: chunked, or a positive Content-Length). */
    static boolean hasBody(HttpRequest request) {
        return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
    }

    /** RFC 9110 §9.2.2: methods a client may repeat; only these are retried on a stale connection. */
    static boolean idempotent(HttpMethod method) {
        return method == HttpMethod.GET
                || method == HttpMethod.HEAD
                || method == HttpMethod.OPTIONS
                || method == HttpMethod.TRACE
                || method == HttpMethod.PUT
                || method == HttpMethod.DELETE;
    }

    /**
     * The {@code Location} of the 308 sending a plaintext request for a TLS host to HTTPS: {@code https://host} plus
     * the origin-form {@code target}. {@code host} must have passed {@link RequestSyntax#hostValid} (Admission checks
     * it first), so nothing unvalidated is ever reflected. Our HTTPS port is named only when the client named a port
     * other than 80 in {@code host} and ours is not 443 (nor -1, no listener): a client on port 80 stands behind a port
     * mapping (a Service 80 to 8080 and 443 to 8443) whose HTTPS side is 443, while one that named a port reaches the
     * listeners directly (port-forward, tests on ephemeral ports) and would find nothing on 443.
     */
    static String httpsLocation(String host, String target, int httpsPort) {
        if (!RequestSyntax.hostValid(host)) {
            throw new IllegalArgumentException("invalid host: refused by Admission before any redirect");
        }
        String name = hostWithoutPort(host);
        String clientPort = host.substring(name.length());
        boolean namePort = !clientPort.isEmpty() && !clientPort.equals(":80") && httpsPort > 0 && httpsPort != 443;
        return "https://" + name + (namePort ? ":" + httpsPort : "") + target;
    }

    /** A host without its port (and brackets kept for IPv6), for redirects. */
    static String hostWithoutPort(String host) {
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close < 0 ? host : host.substring(0, close + 1);
        }
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }
}
