package dev.usher.proxy;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Balancing;
import dev.usher.routing.Endpoint;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.Route;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The load balancer of one exchange: the data plane's ({@code --load-balancing}) unless the route's Ingress chose its
 * own ({@link Balancing}: ingress-nginx's {@code load-balance}, or consistent hashing by {@code upstream-hash-by}, whose
 * value may also read the request's fields: {@code $http_x_user}, {@code $cookie_session}, {@code $remote_user}).
 */
final class RouteBalancing {

    private static final LoadBalancer ROUND_ROBIN = new RoundRobin();
    private static final LoadBalancer LEAST_REQUEST = new LeastRequest();

    private RouteBalancing() {}

    static LoadBalancer choose(
            Route route,
            LoadBalancer proxy,
            HttpRequest request,
            Requests.@Nullable Target target,
            ClientConnection conn,
            String clientIp) {
        Balancing balancing = route.options().balancing();
        if (balancing == null) {
            return proxy;
        }
        NginxTemplate hashBy = balancing.hashBy();
        if (hashBy != null && target != null) {
            RequestVariables variables = RequestVariables.of(request.uri(), target, conn, route, clientIp);
            return new Hashed(hashBy.expand(new RequestFieldValues(variables, request.headers())));
        }
        Balancing.Kind kind = balancing.kind();
        if (kind == null) {
            return proxy;
        }
        return switch (kind) {
            case ROUND_ROBIN -> ROUND_ROBIN;
            case LEAST_REQUEST -> LEAST_REQUEST;
        };
    }

    /**
     * Rendezvous (highest random weight) hashing: each endpoint scores {@code mix(key, endpoint)} and the highest
     * wins. The same key goes to the same endpoint in every replica and on every event loop; when an endpoint goes,
     * only its keys move, each to its next-highest endpoint (which is also where a retry goes first). O(endpoints)
     * per request with no table to rebuild when endpoints change.
     */
    static final class Hashed implements LoadBalancer {

        private final long key;

        Hashed(String value) {
            this.key = fnv1a(value);
        }

        @Override
        public int pick(BackendRef backend, List<Endpoint> endpoints, OriginPools pools) {
            int best = 0;
            long bestScore = Long.MIN_VALUE;
            for (int i = 0; i < endpoints.size(); i++) {
                Endpoint e = endpoints.get(i);
                long score = mix(key ^ mix(fnv1a(e.address()) * 31 + e.port()));
                if (score > bestScore) {
                    best = i;
                    bestScore = score;
                }
            }
            return best;
        }

        /** 64-bit FNV-1a over the characters, with no copy: the same value in every replica and JVM. */
        static long fnv1a(String value) {
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < value.length(); i++) {
                h ^= value.charAt(i);
                h *= 0x100000001b3L;
            }
            return h;
        }

        /** SplitMix64's finaliser: every input bit moves every output bit. */
        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }
    }
}
