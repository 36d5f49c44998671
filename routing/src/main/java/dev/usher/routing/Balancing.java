package dev.usher.routing;

import org.jspecify.annotations.Nullable;

/**
 * How an Ingress's requests are spread over a backend's endpoints, when it says so itself (ingress-nginx's
 * {@code load-balance}, {@code upstream-hash-by} and {@code upstream-hash-by-subset}); otherwise the data plane's
 * {@code --load-balancing} applies.
 *
 * @param kind the balancing algorithm, or {@code null} for the data plane's
 * @param hashBy consistent hashing on this value, expanded per request ({@code $request_uri}, {@code $remote_addr},
 *     ...): the same value goes to the same endpoint while the endpoints stay, and a change of endpoints moves only the
 *     values of the endpoints that came or went; wins over {@code kind}; {@code null} for none
 * @param subsetSize with {@code hashBy}, the value chooses a subset of this many endpoints (its highest rendezvous
 *     scores) and each request goes to a random member of it ({@code upstream-hash-by-subset: "true"} with
 *     {@code upstream-hash-by-subset-size}); 0 for no subset: the value chooses one endpoint
 */
public record Balancing(@Nullable Kind kind, @Nullable NginxTemplate hashBy, int subsetSize) {

    /** The algorithms an Ingress may choose. */
    public enum Kind {
        ROUND_ROBIN,
        /** Power of two choices on requests in flight (ingress-nginx's {@code ewma} maps here). */
        LEAST_REQUEST
    }

    public Balancing {
        if (subsetSize < 0) {
            throw new IllegalArgumentException("subsetSize " + subsetSize + " < 0");
        }
    }

    /** Without subsets: a hashed value chooses one endpoint. */
    public Balancing(@Nullable Kind kind, @Nullable NginxTemplate hashBy) {
        this(kind, hashBy, 0);
    }
}
