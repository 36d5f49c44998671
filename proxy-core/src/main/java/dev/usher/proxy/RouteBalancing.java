package dev.usher.proxy;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Balancing;
import dev.usher.routing.Endpoint;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.Route;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
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
            RequestRecord record) {
        Balancing balancing = route.options().balancing();
        if (balancing == null) {
            return proxy;
        }
        NginxTemplate hashBy = balancing.hashBy();
        if (hashBy != null && target != null) {
            RequestVariables variables = RequestVariables.of(request, target, conn, route, record);
            String value = hashBy.expand(new RequestFieldValues(variables, request.headers()));
            return balancing.subsetSize() > 0 ? new Subset(value, balancing.subsetSize()) : new Hashed(value);
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
                long score = score(key, endpoints.get(i));
                if (score > bestScore) {
                    best = i;
                    bestScore = score;
                }
            }
            return best;
        }

        /** The endpoint's rendezvous score for {@code key}: the same in every replica, whatever the list's order. */
        static long score(long key, Endpoint e) {
            return mix(key ^ mix(fnv1a(e.address()) * 31 + e.port()));
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

    /**
     * ingress-nginx's {@code upstream-hash-by-subset}: the value chooses a subset of {@code size} endpoints and each
     * request goes to a random member of it. ingress-nginx cuts the endpoint list into fixed subsets and hashes the
     * value onto one; Usher's subset is the value's {@code size} highest rendezvous scores, so it is the same in every
     * replica and on every event loop, and an endpoint that comes or goes changes only the subsets it enters or leaves
     * (the others keep all their members). The random member comes from the event loop's own source, no contention.
     * Fewer endpoints than {@code size}: all of them. O(endpoints x rank) per request.
     */
    static final class Subset implements LoadBalancer {

        private final long key;
        private final int size;

        Subset(String value, int size) {
            this.key = Hashed.fnv1a(value);
            this.size = size;
        }

        @Override
        public int pick(BackendRef backend, List<Endpoint> endpoints, OriginPools pools) {
            return member(endpoints, ThreadLocalRandom.current().nextInt(Math.min(size, endpoints.size())));
        }

        /**
         * The index of the subset's member of rank {@code rank} (0 = the highest score), ties broken by address and
         * port so the order never depends on the list's: one pass keeping the {@code rank + 1} best in two small arrays.
         */
        int member(List<Endpoint> endpoints, int rank) {
            int k = rank + 1;
            int[] best = new int[k];
            long[] bestScores = new long[k];
            int kept = 0;
            for (int i = 0; i < endpoints.size(); i++) {
                Endpoint e = endpoints.get(i);
                long score = Hashed.score(key, e);
                if (kept == k && !higher(e, score, endpoints.get(best[k - 1]), bestScores[k - 1])) {
                    continue;
                }
                int at = kept == k ? k - 1 : kept++;
                while (at > 0 && higher(e, score, endpoints.get(best[at - 1]), bestScores[at - 1])) {
                    best[at] = best[at - 1];
                    bestScores[at] = bestScores[at - 1];
                    at--;
                }
                best[at] = i;
                bestScores[at] = score;
            }
            return best[Math.min(rank, kept - 1)];
        }

        private static boolean higher(Endpoint a, long aScore, Endpoint b, long bScore) {
            if (aScore != bScore) {
                return aScore > bScore;
            }
            int byAddress = a.address().compareTo(b.address());
            return byAddress != 0 ? byAddress < 0 : a.port() < b.port();
        }
    }
}
