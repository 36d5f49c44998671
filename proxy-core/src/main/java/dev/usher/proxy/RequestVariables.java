package dev.usher.proxy;

import dev.usher.routing.Backend;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.Route;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The values of the nginx variables Usher expands ({@link NginxTemplate.Variable}) for one request, as nginx computes
 * them: taken before the request head is rewritten for the origin.
 *
 * @param hostWithPort the host as the client sent it, port included (validated by {@link Admission}), or ""
 * @param tls whether the client came over TLS
 * @param requestUri the request target as sent (origin form: path and query)
 * @param serverPort the port of the listener
 * @param route the route the request takes (its Service and namespace)
 * @param remoteAddr the client address
 * @param record the request's record, which keeps its ID once decided ({@link #requestId})
 * @param headers the request's head, whose {@code X-Request-ID} is read, or set, when the ID is first decided
 */
record RequestVariables(
        String hostWithPort,
        boolean tls,
        String requestUri,
        int serverPort,
        Route route,
        String remoteAddr,
        RequestRecord record,
        HttpHeaders headers)
        implements Function<NginxTemplate.Variable, String> {

    /** For templates never expanded (values sent as written): every variable empty. */
    static final Function<NginxTemplate.Variable, String> NONE = variable -> "";

    static RequestVariables of(
            HttpRequest request, Requests.Target target, ClientConnection conn, Route route, RequestRecord record) {
        // nginx's $request_uri is the target as sent; an absolute-form target's path is the (normalised) one routed
        String uri = request.uri();
        String requestUri = uri.startsWith("/") ? uri : target.path();
        return new RequestVariables(
                Objects.requireNonNullElse(target.host(), ""),
                conn.tls,
                requestUri,
                conn.listenerPort,
                route,
                record.clientIp(),
                record,
                request.headers());
    }

    /**
     * {@code $request_id}: the ID the record holds, else decided now as {@link ForwardedHeaders} would (the client's
     * safe {@code X-Request-ID}, else a new one) and written to the head, so the origin, the auth service, the access log
     * and every expansion see the same one.
     */
    String requestId() {
        CharSequence id = record.requestId();
        if (id == null) {
            id = headers.get(ForwardedHeaders.X_REQUEST_ID);
            if (!ForwardedHeaders.safeRequestId(id)) {
                id = ForwardedHeaders.newRequestId();
                headers.set(ForwardedHeaders.X_REQUEST_ID, id);
            }
            record.requestId(id);
        }
        return id.toString();
    }

    String scheme() {
        return tls ? "https" : "http";
    }

    /** nginx's {@code $host}: lower-case, without the port. */
    String host() {
        String host = hostWithPort;
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && host.indexOf(']', colon) < 0) { // not inside an IPv6 literal
            host = host.substring(0, colon);
        }
        return host.toLowerCase(Locale.ROOT);
    }

    @Override
    public String apply(NginxTemplate.Variable variable) {
        return switch (variable) {
            case HOST -> host();
            case SCHEME -> scheme();
            case REQUEST_URI -> requestUri;
            case ESCAPED_REQUEST_URI -> NginxTemplate.escapeComponent(requestUri);
            case BEST_HTTP_HOST -> hostWithPort;
            case SERVER_PORT -> Integer.toString(serverPort);
            case SERVICE_NAME -> service(route.backend());
            case NAMESPACE -> Objects.requireNonNullElse(route.namespace(), "");
            case REMOTE_ADDR -> remoteAddr;
            case REQUEST_ID -> requestId();
        };
    }

    private static String service(@Nullable Backend backend) {
        return backend == null ? "" : backend.ref().service();
    }
}
