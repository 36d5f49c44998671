package dev.usher.proxy;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Cookie session affinity (ingress-nginx's {@code affinity: cookie}, persistent mode) as the load balancer of one
 * exchange: the endpoint whose hash the request's cookie holds, when it is among the endpoints offered (ready and not
 * ejected), else the proxy's own balancer's pick - and then the response sets a new cookie. The cookie holds a
 * SHA-256 of the endpoint's address and port (32 hex digits), never the address itself; a value matching no endpoint
 * (forged, or its endpoint gone) is as good as no cookie. Like ingress-nginx's, the hash is the same in every replica,
 * so a session sticks whichever Usher serves it; it hides the address from a casual look, not from someone who tries
 * every address of the cluster's range. Hashes are cached per event loop ({@link FastThreadLocal}), so nothing is
 * shared or locked; one instance belongs to one exchange.
 */
final class CookieAffinity implements LoadBalancer {

    private static final int CACHE_LIMIT = 10_000;
    private static final FastThreadLocal<Map<Endpoint, String>> HASHES = new FastThreadLocal<>() {
        @Override
        protected Map<Endpoint, String> initialValue() {
            return new HashMap<>();
        }
    };

    private final LoadBalancer fallback;
    private final @Nullable String wanted; // the request's cookie value, or null
    private boolean matched;

    CookieAffinity(LoadBalancer fallback, @Nullable String wanted) {
        this.fallback = fallback;
        this.wanted = wanted;
    }

    @Override
    public int pick(BackendRef backend, List<Endpoint> endpoints, OriginPools pools) {
        if (wanted != null) {
            for (int i = 0; i < endpoints.size(); i++) {
                if (wanted.equals(hash(endpoints.get(i)))) {
                    matched = true;
                    return i;
                }
            }
        }
        matched = false;
        return fallback.pick(backend, endpoints, pools);
    }

    /** Whether the request's cookie named an endpoint that was offered (so the session stuck). */
    boolean matched() {
        return matched;
    }

    /** Whether the request's cookie names {@code endpoint}. */
    boolean names(Endpoint endpoint) {
        return wanted != null && wanted.equals(hash(endpoint));
    }

    /** The cookie value naming {@code endpoint}. */
    static String hash(Endpoint endpoint) {
        Map<Endpoint, String> cache = HASHES.get();
        String hash = cache.get(endpoint);
        if (hash == null) {
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear(); // endpoints come and go; a bounded cache rebuilt on demand
            }
            hash = digest(endpoint.address() + ":" + endpoint.port());
            cache.put(endpoint, hash);
        }
        return hash;
    }

    private static String digest(String text) {
        try {
            byte[] sum = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sum, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
