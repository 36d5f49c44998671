package dev.usher.routing;

import org.jspecify.annotations.Nullable;

/**
 * How an Ingress's requests are spread over a backend's endpoints, when it says so itself (ingress-nginx's
 * {@code load-balance} and {@code upstream-hash-by}); otherwise the data plane's {@code --load-balancing} applies.
 *
 * @param kind the balancing algorithm, or {@code null} for the data plane's
 * @param hashBy consistent hashing on this value, expanded per request ({@code $request_uri}, {@code $remote_addr},
 *     ...): the same value goes to the same endpoint while the endpoints stay, and a change of endpoints moves only the
 *     values of the endpoints that came or went; wins over {@code kind}; {@code null} for none
 */
public record Balancing(@Nullable Kind kind, @Nullable NginxTemplate hashBy) {

    /** The algorithms an Ingress may choose. */
    public enum Kind {
        ROUND_ROBIN,
        /** Power of two choices on requests in flight (ingress-nginx's {@code ewma} maps here). */
        LEAST_REQUEST
    }
}
