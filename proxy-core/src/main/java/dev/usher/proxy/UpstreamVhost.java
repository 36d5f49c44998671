package dev.usher.proxy;

import dev.usher.routing.NginxTemplate;
import dev.usher.routing.Route;
import io.netty.handler.codec.http.HttpRequest;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code Host} a route sends to its origin (ingress-nginx's {@code upstream-vhost}), with the nginx variables the
 * translator admits there expanded ({@link NginxTemplate}): {@code $service_name} (the route's backend Service),
 * {@code $namespace} (its Ingress's namespace), as in {@code $service_name.$namespace.svc.cluster.local}, and the
 * request's {@code $host}, {@code $best_http_host} and {@code $server_port}. The expansion is checked here, per
 * request: a value that is not a host name or address with an optional port never becomes a header; the client's
 * {@code Host} is kept instead, and that is logged once.
 */
final class UpstreamVhost {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamVhost.class);
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    private UpstreamVhost() {}

    /**
     * The {@code Host} value for {@code route}'s origin, or {@code null} to keep the client's. Called before the
     * request head is rewritten (the variables are the client's request).
     */
    static @Nullable String of(
            Route route, HttpRequest request, Requests.Target target, RequestRecord record, ClientConnection conn) {
        String template = route.options().upstreamVhost();
        if (template == null || template.indexOf('$') < 0) {
            return template; // the common case: no allocation
        }
        String host;
        try {
            host = NginxTemplate.parse(template).expand(RequestVariables.of(request, target, conn, route, record));
        } catch (IllegalArgumentException e) { // the translator admits only known variables
            host = "";
        }
        if (hostSyntax(host) && RequestSyntax.hostValid(host)) {
            return host;
        }
        if (LOGGED.compareAndSet(false, true)) {
            LOG.warn(
                    "upstream-vhost of Ingress {} expanded to an invalid host {}; the client's Host is sent instead"
                            + " (logged once)",
                    route.ingressRef(),
                    NginxTemplate.escapeUnsafe(host));
        }
        return null;
    }

    /** Letters, digits, {@code .-:[]} only: a host name or address with a port, nothing that can end a header. */
    static boolean hostSyntax(String host) {
        if (host.isEmpty() || host.length() > 261) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '.'
                    || c == '-'
                    || c == ':'
                    || c == '['
                    || c == ']';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
