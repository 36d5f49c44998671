package dev.usher.proxy;

import dev.usher.routing.Backend;
import dev.usher.routing.Route;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Host} a route sends to its origin (ingress-nginx's {@code upstream-vhost}), with the two nginx variables
 * ingress-nginx users put there expanded: {@code $service_name} (the route's backend Service) and {@code $namespace}
 * (its Ingress's namespace), as in {@code $service_name.$namespace.svc.cluster.local}. The translator admits no other
 * variable; the expansion is checked again here, so a name that is not host syntax never becomes a header.
 */
final class UpstreamVhost {

    private UpstreamVhost() {}

    /** The {@code Host} value for {@code route}'s origin, or {@code null} to keep the client's. */
    static @Nullable String of(Route route) {
        String template = route.options().upstreamVhost();
        if (template == null || template.indexOf('$') < 0) {
            return template; // the common case: no allocation
        }
        String namespace = route.namespace() == null ? "" : route.namespace();
        Backend backend = Objects.requireNonNull(route.backend(), "a proxied route has a backend");
        String host = template.replace("$service_name", backend.ref().service()).replace("$namespace", namespace);
        return hostSyntax(host) ? host : null;
    }

    /** Letters, digits, {@code .-:[]} only: a host name or address with a port, nothing that can end a header. */
    private static boolean hostSyntax(String host) {
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
