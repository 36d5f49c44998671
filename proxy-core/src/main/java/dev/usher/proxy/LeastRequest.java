package dev.usher.proxy;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two choices: of two distinct random endpoints, the one with fewer requests in flight from this event loop
 * (ties go to the first). Avoids the herd behaviour of "global least" while tracking slow endpoints; load is counted
 * per loop, as Envoy counts it per worker, so nothing is shared between threads.
 */
final class LeastRequest implements LoadBalancer {

    @Override
    public int pick(BackendRef backend, List<Endpoint> endpoints, OriginPools pools) {
        int size = endpoints.size();
        if (size == 1) {
            return 0;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(size);
        int b = random.nextInt(size - 1);
        if (b >= a) {
            b++;
        }
        return pools.inFlight(endpoints.get(b)) < pools.inFlight(endpoints.get(a)) ? b : a;
    }
}
