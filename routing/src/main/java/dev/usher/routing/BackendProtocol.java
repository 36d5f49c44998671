package dev.usher.routing;

/**
 * How Usher speaks to a backend's endpoints.
 *
 * <p>Where it comes from, first match wins (the translator's {@code OriginProtocols}): the Ingress annotation
 * {@code usher.dev/backend-protocol}, then ingress-nginx's {@code nginx.ingress.kubernetes.io/backend-protocol}, then
 * the Service port's {@code appProtocol}, else {@link #HTTP}.
 */
public enum BackendProtocol {
    /** HTTP/1.1 in cleartext, the default. */
    HTTP(false, false),
    /** HTTP/1.1 over TLS. */
    HTTPS(true, false),
    /** HTTP/2 in cleartext with prior knowledge (gRPC's usual in-cluster form). */
    H2C(false, true),
    /** HTTP/2 over TLS, ALPN {@code h2}. */
    H2(true, true);

    private final boolean tls;
    private final boolean http2;

    BackendProtocol(boolean tls, boolean http2) {
        this.tls = tls;
        this.http2 = http2;
    }

    /** Whether connections to the origin start with a TLS handshake. */
    public boolean tls() {
        return tls;
    }

    /** Whether the origin is spoken to in HTTP/2. */
    public boolean http2() {
        return http2;
    }
}
