package dev.usher.proxy;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import java.util.List;

/** Chooses the endpoint of a backend that a request goes to first; later attempts take the following indexes. */
interface LoadBalancer {

    /**
     * The index in {@code endpoints} (never empty) to try first.
     *
     * @param pools the pools of the calling event loop, for per-loop state and load
     */
    int pick(BackendRef backend, List<Endpoint> endpoints, OriginPools pools);

    static LoadBalancer of(ProxySettings.LoadBalancing kind) {
        return switch (kind) {
            case ROUND_ROBIN -> new RoundRobin();
            case LEAST_REQUEST -> new LeastRequest();
        };
    }
}
