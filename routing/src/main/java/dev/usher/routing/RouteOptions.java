package dev.usher.routing;

import java.util.Objects;
import java.util.Set;

/**
 * Per-Ingress behaviour taken from its annotations and {@code spec.tls}.
 *
 * <p>Build one with {@link #builder()} (or {@link #toBuilder()} to change a copy): a new option is one component, one
 * builder setter and its default, and no call site changes.
 *
 * @param rewriteTarget the {@code usher.dev/rewrite-target} value, or {@code null} to forward the path unchanged
 * @param tlsHosts hosts listed in the Ingress's {@code spec.tls}, lower-case
 * @param sslRedirect whether plain-HTTP requests for a host in {@code tlsHosts} get a 308 to HTTPS
 * @param requestBuffering whether the proxy reads a request body whole before it opens an origin connection
 *     ({@code usher.dev/request-buffering}, on by default, like nginx's {@code proxy_request_buffering}); off streams
 *     the body to the origin as it arrives
 * @param retry when a failed attempt is tried again on the next endpoint (ingress-nginx's
 *     {@code proxy-next-upstream}, {@code -tries}, {@code -timeout}); {@link RetryPolicy#INHERIT} by default, so the
 *     data plane's flags apply
 */
public record RouteOptions(String rewriteTarget, Set<String> tlsHosts, boolean sslRedirect,
        boolean requestBuffering, RetryPolicy retry) {

    public static final RouteOptions DEFAULT = builder().build();

    public RouteOptions {
        Objects.requireNonNull(tlsHosts, "tlsHosts");
        tlsHosts = Set.copyOf(tlsHosts);
        Objects.requireNonNull(retry, "retry");
    }

    /** A builder holding the defaults: no rewrite, no TLS hosts, redirect on, request buffering on, retries
     * as the data plane's flags say. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        return new Builder()
                .rewriteTarget(rewriteTarget)
                .tlsHosts(tlsHosts)
                .sslRedirect(sslRedirect)
                .requestBuffering(requestBuffering)
                .retry(retry);
    }

    /** Collects the options; every setter has the default documented on {@link #builder()}. */
    public static final class Builder {
        private String rewriteTarget;
        private Set<String> tlsHosts = Set.of();
        private boolean sslRedirect = true;
        private boolean requestBuffering = true;
        private RetryPolicy retry = RetryPolicy.INHERIT;

        private Builder() {
        }

        public Builder rewriteTarget(String rewriteTarget) {
            this.rewriteTarget = rewriteTarget;
            return this;
        }

        public Builder tlsHosts(Set<String> tlsHosts) {
            this.tlsHosts = tlsHosts;
            return this;
        }

        public Builder sslRedirect(boolean sslRedirect) {
            this.sslRedirect = sslRedirect;
            return this;
        }

        public Builder requestBuffering(boolean requestBuffering) {
            this.requestBuffering = requestBuffering;
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        public RouteOptions build() {
            return new RouteOptions(rewriteTarget, tlsHosts, sslRedirect, requestBuffering, retry);
        }
    }
}
