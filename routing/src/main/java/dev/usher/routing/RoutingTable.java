package dev.usher.routing;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The holder the data plane reads: one volatile read per request, one volatile write per published change.
 *
 * <p>Backends are kept here, outside any snapshot, so that the watcher can replace a backend's endpoints without
 * rebuilding routes: a snapshot built with {@link #backend(BackendRef)} sees every later endpoint update.
 */
public final class RoutingTable {

    private final ConcurrentMap<BackendRef, Backend> backends = new ConcurrentHashMap<>();
    private volatile RoutingSnapshot current = RoutingSnapshot.empty();

    /** The snapshot in force; read it once into a local per request. */
    public RoutingSnapshot current() {
        return current;
    }

    /** Makes {@code snapshot} the one in force; requests already routed keep the one they read. */
    public void publish(RoutingSnapshot snapshot) {
        this.current = Objects.requireNonNull(snapshot, "snapshot");
    }

    /** The stable holder for {@code ref}, created on first use; pass {@code this::backend} to the snapshot builder. */
    public Backend backend(BackendRef ref) {
        Backend backend = backends.get(Objects.requireNonNull(ref, "ref")); // lock-free on rebuilds, the usual case
        return backend != null ? backend : backends.computeIfAbsent(ref, Backend::new);
    }

    /** Replaces the ready endpoints of {@code ref}; routes are untouched. */
    public void updateEndpoints(BackendRef ref, List<Endpoint> ready) {
        backend(ref).endpoints(Objects.requireNonNull(ready, "ready"));
    }

    /** Forgets backends that the snapshot in force no longer refers to. */
    public void retainReferenced() {
        RoutingSnapshot snapshot = current;
        backends.keySet().removeIf(ref -> !snapshot.refersTo(ref));
    }
}
