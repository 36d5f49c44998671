package dev.usher.k8s;

import dev.usher.k8s.translate.Problem;
import dev.usher.k8s.translate.Translation;
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
 * can route to it; the route snapshot last, with one volatile write; then backends nothing refers to any more are
 * dropped.
 * Problems and conflicts are logged once, when they first appear, not on every rebuild. Calls are serialized.
 *
 * <p>The problems of a translation are published together with its snapshot, in one volatile write of a
 * {@link Published} pair: a reader of {@link #published()} (/debug/routes) never sees the routes of one build with the
 * problems of another. That pair is written before the certificates and the table, so whoever observes a certificate
 * or a route of a build (a TLS handshake, a request) and then reads the problems reads those of that build or a later
 * one, never an earlier one.
 */
public final class SnapshotPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

    private final RoutingTable table;
    private final CertificateStore certificates;
    private final ConfigMetrics metrics;
    private volatile boolean ready;
    private volatile Published published;
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
        this.published = new Published(table.current(), List.of());
    }

    /**
     * A published snapshot and the translation problems of the same build.
     *
     * @param snapshot the routes of the last publish (endpoints may have changed since, behind their own holders)
     * @param problems the translation (and source) problems of that build; routing conflicts are on the snapshot
     */
    public record Published(RoutingSnapshot snapshot, List<Problem> problems) {

        public Published {
            Objects.requireNonNull(snapshot, "snapshot");
            problems = List.copyOf(problems);
        }
    }

    /** True after the first complete publish. */
    public boolean ready() {
        return ready;
    }

    /** The translation (and source) problems of the last publish; routing conflicts are on the snapshot. */
    public List<Problem> problems() {
        return published.problems();
    }

    /** The last published snapshot with its problems, read in one volatile read. */
    public Published published() {
        return published;
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
        RoutingSnapshot.Builder builder = RoutingSnapshot.builder();
        for (IngressRuleSet ruleSet : translation.ruleSets()) {
            builder.add(ruleSet);
        }
        builder.defaultBackend(translation.defaultBackend());
        RoutingSnapshot snapshot = builder.build(table::backend);
        // Problems first: whoever sees a certificate or a route of this build also sees its problems.
        published = new Published(snapshot, translation.problems());
        if (certificates != null) {
            certificates.publish(
                    translation.certificates(),
                    translation.defaultCertificate() != null
                            ? translation.defaultCertificate()
                            : certificates.defaultCertificate(),
                    translation.clientCas(),
                    translation.serverCiphers());
        }
        table.publish(snapshot);
        table.retainReferenced();
        logNew(translation.problems(), snapshot.conflicts());
        if (!ready) {
            LOG.info(
                    "first routing snapshot published: {} Ingresses, {} backends, {} certificates, {} problems",
                    translation.ruleSets().size(),
                    translation.endpoints().size(),
                    translation.certificates().size(),
                    translation.problems().size());
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
