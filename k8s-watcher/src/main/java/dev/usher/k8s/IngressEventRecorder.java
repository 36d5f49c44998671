package dev.usher.k8s;

import dev.usher.k8s.translate.KubeObjects;
import dev.usher.k8s.translate.Problem;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.Conflict;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Warning Events on Ingresses for what went wrong with them: a conflict lost ({@code ConflictLost}) and
 * every translation problem about them ({@code IngressProblem}: missing Services or Secrets, invalid paths, ...).
 *
 * <p>Each distinct message is recorded once while it lasts; once gone, it is recorded again if it comes back. Runs on
 * the {@code usher-status} thread of the leader only, so that replicas do not repeat each other.
 */
final class IngressEventRecorder {

    static final String CONFLICT_LOST = "ConflictLost";
    static final String INGRESS_PROBLEM = "IngressProblem";

    private static final Logger LOG = LoggerFactory.getLogger(IngressEventRecorder.class);
    private static final String PROBLEM_PREFIX = "Ingress ";

    /** One event to record: the Ingress {@code namespace/name}, a reason and a message. */
    private record Pending(String ingress, String reason, String message) {}

    private final KubernetesClient client;
    private final String identity;
    private Set<Pending> recorded = Set.of();

    IngressEventRecorder(KubernetesClient client, String identity) {
        this.client = client;
        this.identity = identity;
    }

    void record(List<Problem> problems, List<Conflict> conflicts, List<Ingress> ingresses) {
        Set<Pending> now = new HashSet<>();
        for (Conflict c : conflicts) {
            String where =
                    c.path() == null ? "the default backend" : (c.host() == null ? "any host" : c.host()) + c.path();
            now.add(new Pending(c.loser(), CONFLICT_LOST, where + " is routed by " + c.winner() + ": " + c.reason()));
        }
        for (Problem p : problems) {
            if (p.source().startsWith(PROBLEM_PREFIX)) {
                now.add(new Pending(p.source().substring(PROBLEM_PREFIX.length()), INGRESS_PROBLEM, p.message()));
            }
        }
        Map<String, Ingress> byId = new HashMap<>();
        ingresses.forEach(i -> byId.put(KubeObjects.key(i), i));
        for (Pending pending : now) {
            Ingress ingress = byId.get(pending.ingress());
            if (!recorded.contains(pending) && ingress != null) {
                create(ingress, pending);
            }
        }
        recorded = now;
    }

    /** Forgets what was recorded (on losing the lease). */
    void reset() {
        recorded = Set.of();
    }

    private void create(Ingress ingress, Pending pending) {
        String ns = KubeObjects.namespace(ingress);
        String name = ingress.getMetadata().getName();
        String now = Instant.now().toString();
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong()).toLowerCase(Locale.ROOT);
        Event event = new EventBuilder()
                .withNewMetadata()
                .withNamespace(ns)
                .withName(name + "." + suffix)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion("networking.k8s.io/v1")
                .withKind("Ingress")
                .withNamespace(ns)
                .withName(name)
                .withUid(ingress.getMetadata().getUid())
                .withResourceVersion(ingress.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType("Warning")
                .withReason(pending.reason())
                .withMessage(pending.message())
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource()
                .withComponent("usher")
                .endSource()
                .withReportingComponent(WatcherSettings.DEFAULT_CONTROLLER_NAME)
                .withReportingInstance(identity)
                .build();
        try {
            client.v1().events().inNamespace(ns).resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.info("could not record a {} event on Ingress {}/{}: {}", pending.reason(), ns, name, e.getMessage());
        }
    }
}
