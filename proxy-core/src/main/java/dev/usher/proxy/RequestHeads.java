package dev.usher.proxy;

import dev.usher.routing.ExternalAuth;
import dev.usher.routing.HeaderEdit;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.Route;
import dev.usher.routing.RouteOptions;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Rewrites a client's request head, in place, into the one sent to the origin. */
final class RequestHeads {

    private static final AsciiString X_FORWARDED_PREFIX = AsciiString.cached("x-forwarded-prefix");

    /**
     * Fields Usher may have set on the head before it is forwarded, which no {@code Connection} token of the client's
     * removes: the {@code ssl-client-*} fields of the TLS handshake and the {@code X-Request-ID} the auth service was
     * sent (the route's {@code auth-response-headers} too, passed beside).
     */
    private static final List<AsciiString> VOUCHED = List.of(
            ClientCertificateGate.SSL_CLIENT_CERT,
            ClientCertificateGate.SSL_CLIENT_VERIFY,
            ClientCertificateGate.SSL_CLIENT_SUBJECT_DN,
            ClientCertificateGate.SSL_CLIENT_ISSUER_DN,
            ForwardedHeaders.X_REQUEST_ID);

    private RequestHeads() {}

    /**
     * Removes hop-by-hop fields (and, unless enabled, fields with underscores), adds the forwarding fields, applies the
     * route's rewrite, {@code Host} ({@code upstream-vhost}) and {@code X-Forwarded-Prefix} and speaks HTTP/1.1
     * upstream. An upgrade to a protocol in
     * {@link ProxySettings#upgradeProtocols()} keeps its {@code Upgrade} and {@code Connection: upgrade} (RFC 9110
     * §7.8), since the origin must see them; any other upgrade goes on as a plain request without them.
     *
     * <p>Framing is written last, after every other edit, from how the decoder read the body: {@code Content-Length}
     * when it read that many bytes, {@code chunked} when it decoded chunks, neither when there is no body. Whatever an
     * edit above removed or a client tried to smuggle into a field, the origin gets exactly the body Usher read, framed
     * the one way Usher frames it.
     *
     * @return whether this is an upgrade request to be tunnelled
     */
    static boolean prepare(
            HttpRequest request,
            Route route,
            Requests.Target target,
            RequestRecord record,
            ClientConnection conn,
            ProxySettings settings) {
        HttpHeaders headers = request.headers();
        List<HeaderEdit> edits = route.options().requestHeaderEdits(); // configuration-snippet's proxy_set_header & co.
        Function<NginxTemplate.Variable, String> editVariables = !edits.isEmpty() && HeaderEdit.anyTemplate(edits)
                ? RequestFieldValues.captured( // as the client sent them: taken before the head changes below
                        RequestVariables.of(request, target, conn, route, record), headers, edits)
                : RequestVariables.NONE;
        // How the decoder delimited the body (it refused every ambiguous shape): the one framing we may forward.
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        String length = chunked ? null : headers.get(HttpHeaderNames.CONTENT_LENGTH);
        String upgradeTo = HeaderRules.connectionHas(headers, HttpHeaderValues.UPGRADE)
                ? tunnelled(headers.get(HttpHeaderNames.UPGRADE), settings.upgradeProtocols())
                : null;
        ExternalAuth auth = route.options().externalAuth();
        HeaderRules.removeHopByHop(headers, VOUCHED, auth == null ? List.of() : auth.responseHeaders());
        if (!settings.underscoresInHeaders()) {
            HeaderRules.removeUnderscored(headers);
        } else {
            HeaderRules.removeUnderscoredTwins(headers, ownedFields(auth, settings, edits));
        }
        if (upgradeTo != null) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE).set(HttpHeaderNames.UPGRADE, upgradeTo);
        }
        record.requestId(ForwardedHeaders.apply(headers, conn, record.clientIp(), target.host()));
        RouteOptions options = route.options();
        String vhost = UpstreamVhost.of(route, request, target, record, conn); // ingress-nginx's upstream-vhost
        if (vhost != null) {
            headers.set(HttpHeaderNames.HOST, vhost);
        }
        if (options.forwardedPrefix() != null) {
            headers.set(X_FORWARDED_PREFIX, options.forwardedPrefix()); // ingress-nginx's x-forwarded-prefix
        }
        setOrClear(headers, settings.proxySetHeaders(), RequestVariables.NONE); // --proxy-set-header: as written
        setOrClear(headers, edits, editVariables);
        request.setUri(target.path().equals("*") ? "*" : upstreamUri(request, route, target, record, conn));
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING).remove(HttpHeaderNames.CONTENT_LENGTH);
        if (chunked) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (length != null) {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        return upgradeTo != null;
    }

    /** The fields this request's route or the operator set, besides those {@link HeaderRules} always owns. */
    private static List<String> ownedFields(
            @Nullable ExternalAuth auth, ProxySettings settings, List<HeaderEdit> edits) {
        List<String> owned = new ArrayList<>(auth == null ? List.of() : auth.responseHeaders());
        settings.proxySetHeaders().forEach(e -> owned.add(e.name()));
        edits.forEach(e -> owned.add(e.name()));
        return owned;
    }

    /** Sets each edit's field ({@code variables} expanding its value) or, without a value, removes it. */
    private static void setOrClear(
            HttpHeaders headers, List<HeaderEdit> edits, Function<NginxTemplate.Variable, String> variables) {
        for (HeaderEdit edit : edits) {
            if (edit.value() == null) {
                headers.remove(edit.name());
            } else {
                headers.set(edit.name(), edit.valueFor(variables));
            }
        }
    }

    /** The rewritten target; the nginx variables of a rewrite-target are read before the head is changed. */
    private static String upstreamUri(
            HttpRequest request, Route route, Requests.Target target, RequestRecord record, ClientConnection conn) {
        if (!route.rewriteVariables()) {
            return route.upstreamUri(target.path());
        }
        return route.upstreamUri(target.path(), RequestVariables.of(request, target, conn, route, record));
    }

    /**
     * The protocols of an {@code Upgrade} value (RFC 9110 §7.8: a comma-separated list, {@code name[/version]}) that
     * may be tunnelled, joined again; {@code null} when none may. {@code h2c} never is: Usher speaks HTTP/2 cleartext
     * itself or not at all, and a tunnelled h2c connection would carry requests no routing rule ever sees.
     */
    static @Nullable String tunnelled(@Nullable String upgrade, Set<String> allowed) {
        if (upgrade == null) {
            return null;
        }
        StringBuilder kept = null;
        for (String part : upgrade.split(",")) {
            String protocol = part.trim();
            int slash = protocol.indexOf('/');
            String name = (slash < 0 ? protocol : protocol.substring(0, slash)).toLowerCase(Locale.ROOT);
            if (!name.equals("h2c") && allowed.contains(name)) {
                kept = kept == null
                        ? new StringBuilder(protocol)
                        : kept.append(", ").append(protocol);
            }
        }
        return kept == null ? null : kept.toString();
    }
}
