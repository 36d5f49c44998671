package dev.usher.k8s;

import dev.usher.routing.ObjectRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One informer per ConfigMap that an Ingress of ours names in {@code custom-headers} or (with {@code auth-url})
 * {@code auth-proxy-set-headers}, each selecting that one object by name ({@code metadata.name} field selector): the
 * cluster holds many ConfigMaps (a {@code kube-root-ca.crt} in every namespace, dashboards, application settings),
 * and Usher's memory must not grow with them, only with the ConfigMaps its routes read. The {@link ClusterLoop} {@link #reconcile reconciles} the set before every rebuild,
 * starting informers for new names and stopping those no Ingress names any more, and holds the rebuild until the new
 * ones have listed ({@link #waiting}), so that a ConfigMap that exists is never taken for a missing one (which fails
 * closed). An informer that has not listed after {@link #SYNC_WAIT} (no RBAC for configmaps, an API server away) no
 * longer holds rebuilds: its ConfigMap counts as missing until it lists.
 *
 * <p>The loop thread reconciles; {@link #close} may come from another thread, hence the lock.
 */
final class ConfigMapWatches implements AutoCloseable {

    static final long SYNC_WAIT = TimeUnit.SECONDS.toNanos(10);

    private static final Logger LOG = LoggerFactory.getLogger(ConfigMapWatches.class);

    private record Watch(SharedIndexInformer<ConfigMap> informer, long startedNanos) {}

    /** Makes and starts the informer of one ConfigMap, its events enqueued for the loop. */
    private final Function<ObjectRef, SharedIndexInformer<ConfigMap>> start;

    private final Map<ObjectRef, Watch> watches = new HashMap<>();
    /** Names whose informer listed and whose object the loop has taken ({@link #newlyListed}). */
    private final Set<ObjectRef> taken = new HashSet<>();
    /** Names whose informer was late to list, already logged. */
    private final Set<ObjectRef> warned = new HashSet<>();

    private boolean closed;

    ConfigMapWatches(Function<ObjectRef, SharedIndexInformer<ConfigMap>> start) {
        this.start = start;
    }

    /** Watches exactly {@code wanted}: starts the missing informers, stops the others; returns the names dropped. */
    synchronized Set<ObjectRef> reconcile(Set<ObjectRef> wanted, long now) {
        Set<ObjectRef> dropped = new HashSet<>();
        if (closed) {
            return dropped;
        }
        for (var it = watches.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<ObjectRef, Watch> entry = it.next();
            if (!wanted.contains(entry.getKey())) {
                entry.getValue().informer().stop();
                it.remove();
                taken.remove(entry.getKey());
                warned.remove(entry.getKey());
                dropped.add(entry.getKey());
            }
        }
        for (ObjectRef ref : wanted) {
            if (!watches.containsKey(ref)) {
                watches.put(ref, new Watch(start.apply(ref), now));
            }
        }
        return dropped;
    }

    /** Whether a rebuild must wait: an informer started less than {@link #SYNC_WAIT} ago has not listed yet. */
    synchronized boolean waiting(long now) {
        boolean waiting = false;
        for (Map.Entry<ObjectRef, Watch> entry : watches.entrySet()) {
            Watch watch = entry.getValue();
            if (watch.informer().hasSynced()) {
                continue;
            }
            if (now - watch.startedNanos() - SYNC_WAIT < 0) {
                waiting = true;
            } else if (warned.add(entry.getKey())) {
                LOG.warn(
                        "ConfigMap {} (custom-headers, auth-proxy-set-headers) has not been listed after {} s (RBAC"
                                + " for configmaps?); its Ingresses fail closed until it is",
                        entry.getKey(),
                        TimeUnit.NANOSECONDS.toSeconds(SYNC_WAIT));
            }
        }
        return waiting;
    }

    /**
     * The names whose informer has listed since the last call, each with its object (empty when it does not exist):
     * what the loop's cache takes once, later changes reaching it as events.
     */
    synchronized Map<ObjectRef, Optional<ConfigMap>> newlyListed() {
        Map<ObjectRef, Optional<ConfigMap>> listed = new HashMap<>();
        for (Map.Entry<ObjectRef, Watch> entry : watches.entrySet()) {
            ObjectRef ref = entry.getKey();
            SharedIndexInformer<ConfigMap> informer = entry.getValue().informer();
            if (!taken.contains(ref) && informer.hasSynced()) {
                taken.add(ref);
                listed.put(ref, Optional.ofNullable(informer.getStore().getByKey(ref.namespace() + "/" + ref.name())));
            }
        }
        return listed;
    }

    /** The names watched now (for tests and diagnostics). */
    synchronized List<ObjectRef> watched() {
        return new ArrayList<>(watches.keySet());
    }

    @Override
    public synchronized void close() {
        closed = true;
        watches.values().forEach(w -> w.informer().stop());
        watches.clear();
    }
}
