package dev.usher.k8s;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Conflict;
import dev.usher.routing.Endpoint;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import dev.usher.tls.CertificateStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes translations: endpoints into the table, certs into the store, then the route snapshot.
 *
 * <p>The order matters: endpoints first, so that a backend new in this snapshot has its addresses before any request
 * can route to it; the snapshot last, with one volatile write; then backends nothing refers to any more are dropped.
 * Problems and conflicts are logged once, when they first appear, not on every rebuild. Calls are serialized.
 */
public final class SnapshotPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

    private final RoutingTable table;
    private final CertificateStore certificates;
    private final ConfigMetrics metrics;
    private volatile boolean ready;
    private volatile List<Problem> problems = List.of();
    private Set<Problem> logged = Set.of();
    private Set<Conflict> loggedConflicts = Set.of();

    /** {@code certificates} may be null when no HTTPS listener runs; metrics go nowhere. */
    public SnapshotPublisher(RoutingTable table, CertificateStore certificates) {
        this(table, certificates, new SimpleMeterRegistry());
    }

    /** As {@link #SnapshotPublisher(RoutingTable, CertificateStore)}, registering {@code usher_config_*} metrics. */
    public SnapshotPublisher(RoutingTable table, CertificateStore certificates, MeterRegistry registry) {
        this.table = Objects.requireNonNull(table, "table");
        this.certificates = certificates;
        this.metrics = new ConfigMetrics(Objects.requireNonNull(registry, "registry"));
    }

    /** True after the first complete publish. */
    public boolean ready() {
        return ready;
    }

    /** The translation (and source) problems of the last publish; routing conflicts are on the snapshot. */
    public List<Problem> problems() {
        return problems;
    }

    public RoutingTable table() {
        return table;
    }

    /** Applies {@code translation} as one change; returns the snapshot now in force. */
    public RoutingSnapshot publish(Translation translation) {
        return publish(translation, 0);
    }

    /** As {@link #publish(Translation)}; {@code receivedNanos} ({@link System#nanoTime()}, 0 if unknown) is when
     * the oldest change it contains was received, for the propagation histogram. */
    synchronized RoutingSnapshot publish(Translation translation, long receivedNanos) {
        Objects.requireNonNull(translation, "translation");
        translation.endpoints().forEach(table::updateEndpoints);
        if (certificates != null && translation.defaultCertificate() != null) {
            certificates.publish(translation.certificates(), translation.defaultCertificate());
        } else if (certificates != null) {
            certificates.publish(translation.certificates());
        }
        RoutingSnapshot.Builder builder = RoutingSnapshot.builder();
        for (IngressRuleSet ruleSet : translation.ruleSets()) {
            builder.add(ruleSet);
        }
        builder.defaultBackend(translation.defaultBackend());
        RoutingSnapshot snapshot = builder.build(table::backend);
        table.publish(snapshot);
        table.retainReferenced();
        problems = translation.problems();
        logNew(translation.problems(), snapshot.conflicts());
        if (!ready) {
            LOG.info("first routing snapshot published: {} Ingresses, {} backends, {} certificates, {} problems",
                    translation.ruleSets().size(), translation.endpoints().size(),
                    translation.certificates().size(), translation.problems().size());
        }
        ready = true;
        metrics.routesPublished(receivedNanos);
        return snapshot;
    }

    /** Replaces the endpoints of some backends without rebuilding routes (an EndpointSlice-only change). */
    public void updateEndpoints(Map<BackendRef, List<Endpoint>> endpoints) {
        updateEndpoints(endpoints, 0);
    }

    synchronized void updateEndpoints(Map<BackendRef, List<Endpoint>> endpoints, long receivedNanos) {
        Objects.requireNonNull(endpoints, "endpoints");
        RoutingSnapshot current = table.current();
        endpoints.forEach((ref, list) -> {
            if (current.refersTo(ref)) {
                table.updateEndpoints(ref, list);
            }
        });
        metrics.endpointsPublished(receivedNanos);
    }

    private void logNew(List<Problem> now, List<Conflict> conflicts) {
        Set<Problem> seen = new HashSet<>(now);
        for (Problem p : now) {
            if (!logged.contains(p)) {
                LOG.warn("{}", p);
            }
        }
        for (Problem p : logged) {
            if (!seen.contains(p)) {
                LOG.info("resolved: {}", p);
            }
        }
        logged = seen;
        Set<Conflict> seenConflicts = new HashSet<>(conflicts);
        for (Conflict c : conflicts) {
            if (!loggedConflicts.contains(c)) {
                LOG.warn("routing conflict on {}: {} loses to {}: {}", where(c), c.loser(), c.winner(), c.reason());
            }
        }
        loggedConflicts = seenConflicts;
    }

    private static String where(Conflict c) {
        if (c.path() == null) {
            return c.host() == null ? "the catch-all default backend" : "the default backend of host " + c.host();
        }
        return (c.host() == null ? "any host" : "host " + c.host()) + " path " + c.path() + " (" + c.type() + ")";
    }
}
