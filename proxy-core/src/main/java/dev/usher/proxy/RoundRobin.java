package dev.usher.proxy;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import java.util.List;

/**
 * Each event loop walks a backend's endpoints in turn. With N loops the global order interleaves, but every loop
 * spreads its own requests evenly, which is what keeps load even; no shared counter is touched.
 */
final class RoundRobin implements LoadBalancer {

    @Override
    public int pick(BackendRef backend, List<Endpoint> endpoints, OriginPools pools) {
        return pools.nextCursor(backend) % endpoints.size();
    }
}
