package dev.usher.routing;

import java.util.Objects;

/**
 * ingress-nginx's request mirroring ({@code mirror-target}, {@code mirror-request-body}, {@code mirror-host}; nginx's
 * {@code ngx_http_mirror_module}): each request of the Ingress is also sent to this target, whose response is
 * discarded and never affects the client's.
 *
 * <p>Where the mirror request goes ({@link #tls}, {@link #host}, {@link #port}) is the literal text of the
 * annotation, fixed by the translator: no request value can choose it. Only {@link #target} (path and query) and
 * {@link #hostHeader} hold nginx variables, expanded per request with their unsafe bytes percent-encoded.
 *
 * @param tls whether the mirror is reached over TLS ({@code https://})
 * @param host the host name or address to connect to (an IPv6 address without brackets)
 * @param port the port to connect to
 * @param target the request target sent to the mirror (path and query, as {@code $request_uri}); its expansion starts
 *     with {@code /}
 * @param hostHeader the {@code Host} of the mirror request ({@code mirror-host}; by default the target's host name
 *     without its port, as ingress-nginx sets it)
 * @param requestBody whether a buffered request body is sent to the mirror too ({@code mirror-request-body}, on by
 *     default)
 */
public record Mirror(
        boolean tls, String host, int port, NginxTemplate target, NginxTemplate hostHeader, boolean requestBody) {

    public Mirror {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(hostHeader, "hostHeader");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("a mirror needs a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("mirror port out of range: " + port);
        }
    }
}
