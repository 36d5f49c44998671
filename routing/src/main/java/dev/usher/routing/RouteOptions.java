package dev.usher.routing;

import java.util.Objects;
import java.util.Set;

/**
 * Per-Ingress behaviour taken from its annotations and {@code spec.tls}.
 *
 * @param rewriteTarget the {@code usher.dev/rewrite-target} value, or {@code null} to forward the path unchanged
 * @param tlsHosts hosts listed in the Ingress's {@code spec.tls}, lower-case
 * @param sslRedirect whether plain-HTTP requests for a host in {@code tlsHosts} get a 308 to HTTPS
 * @param requestBuffering whether the proxy reads a request body whole before it opens an origin connection
 *     ({@code usher.dev/request-buffering}, on by default, like nginx's {@code proxy_request_buffering}); off streams
 *     the body to the origin as it arrives
 */
public record RouteOptions(String rewriteTarget, Set<String> tlsHosts, boolean sslRedirect,
        boolean requestBuffering) {

    public static final RouteOptions DEFAULT = new RouteOptions(null, Set.of(), true);

    public RouteOptions {
        Objects.requireNonNull(tlsHosts, "tlsHosts");
        tlsHosts = Set.copyOf(tlsHosts);
    }

    /** Options with request buffering on (the default). */
    public RouteOptions(String rewriteTarget, Set<String> tlsHosts, boolean sslRedirect) {
        this(rewriteTarget, tlsHosts, sslRedirect, true);
    }
}
