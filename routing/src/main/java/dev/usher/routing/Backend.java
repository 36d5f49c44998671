package dev.usher.routing;

import java.util.List;
import java.util.Objects;

/**
 * The live endpoints of one {@link BackendRef}: its own holder, so that an endpoint change never rebuilds routes.
 *
 * <p>Snapshots keep references to the {@code Backend} objects of their {@link RoutingTable}; the watcher replaces the
 * endpoint list with one volatile write and the data plane reads it once per pick.
 */
public final class Backend {

    private final BackendRef ref;
    private volatile List<Endpoint> endpoints = List.of();

    Backend(BackendRef ref) {
        this.ref = Objects.requireNonNull(ref, "ref");
    }

    public BackendRef ref() {
        return ref;
    }

    /** The ready endpoints now; an immutable list, empty when none is ready. */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    void endpoints(List<Endpoint> ready) {
        this.endpoints = List.copyOf(ready);
    }

    @Override
    public String toString() {
        return ref.toString();
    }
}
