package dev.usher.routing;

import java.util.Objects;
import java.util.Set;

/**
 * Per-Ingress behaviour taken from its annotations and {@code spec.tls}.
 *
 * @param rewriteTarget the {@code usher.dev/rewrite-target} value, or {@code null} to forward the path unchanged
 * @param tlsHosts hosts listed in the Ingress's {@code spec.tls}, lower-case
 * @param sslRedirect whether plain-HTTP requests for a host in {@code tlsHosts} get a 308 to HTTPS
 */
public record RouteOptions(String rewriteTarget, Set<String> tlsHosts, boolean sslRedirect) {

    public static final RouteOptions DEFAULT = new RouteOptions(null, Set.of(), true);

    public RouteOptions {
        Objects.requireNonNull(tlsHosts, "tlsHosts");
        tlsHosts = Set.copyOf(tlsHosts);
    }
}
