package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.Problem;
import dev.usher.k8s.translate.Translation;
import dev.usher.routing.Backend;
import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.TlsCertificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Applying a translation: endpoints, certificates, snapshot, in that order, into the real table and store. */
final class SnapshotPublisherTest {

    private static final BackendRef ALPACA = BackendRef.parse("default/alpaca:8080");
    private static final BackendRef BANDICOOT = BackendRef.parse("default/bandicoot:8080");
    private static final List<Endpoint> ONE = List.of(new Endpoint("127.0.0.1", 41001, "alpaca-0"));

    private final RoutingTable table = new RoutingTable();

    @Test
    void publish_makesRoutesAndEndpointsLive_andMarksReady() {
        SnapshotPublisher publisher = new SnapshotPublisher(table, null);
        assertThat(publisher.ready()).isFalse();
        publisher.publish(translation(
                List.of(ruleSet("a", Instant.EPOCH, "a.example.com", ALPACA)),
                Map.of(ALPACA, ONE),
                Map.of(),
                List.of()));
        assertThat(publisher.ready()).isTrue();
        assertThat(table.current().route("a.example.com", "/x").backend().endpoints())
                .isEqualTo(ONE);
    }

    @Test
    void publish_keepsConflictsOnTheSnapshot_andProblemsSeparately() {
        SnapshotPublisher publisher = new SnapshotPublisher(table, null);
        Problem problem = new Problem("Ingress default/b", "something skipped");
        RoutingSnapshot snapshot = publisher.publish(translation(
                List.of(
                        ruleSet("old", Instant.parse("2024-01-01T00:00:00Z"), "a.example.com", ALPACA),
                        ruleSet("young", Instant.parse("2024-06-01T00:00:00Z"), "a.example.com", BANDICOOT)),
                Map.of(ALPACA, ONE, BANDICOOT, List.of()),
                Map.of(),
                List.of(problem)));
        assertThat(snapshot).isSameAs(table.current());
        assertThat(table.current().route("a.example.com", "/").backend().ref()).isEqualTo(ALPACA);
        assertThat(snapshot.conflicts()).singleElement().satisfies(c -> assertThat(c.loser())
                .contains("young"));
        assertThat(publisher.problems()).containsExactly(problem);
    }

    @Test
    void published_pairsEachSnapshotWithTheProblemsOfTheSameBuild() {
        SnapshotPublisher publisher = new SnapshotPublisher(table, null);
        assertThat(publisher.published().snapshot()).isSameAs(table.current());
        assertThat(publisher.published().problems()).isEmpty();
        Problem missing = new Problem("Ingress default/a", "Secret default/a-cert not found");
        RoutingSnapshot first = publisher.publish(translation(
                List.of(ruleSet("a", Instant.EPOCH, "a.example.com", ALPACA)),
                Map.of(ALPACA, ONE),
                Map.of(),
                List.of(missing)));
        assertThat(publisher.published()).isEqualTo(new SnapshotPublisher.Published(first, List.of(missing)));

        RoutingSnapshot second = publisher.publish(translation(
                List.of(ruleSet("a", Instant.EPOCH, "a.example.com", ALPACA)),
                Map.of(ALPACA, ONE),
                Map.of(),
                List.of()));
        assertThat(publisher.published()).isEqualTo(new SnapshotPublisher.Published(second, List.of()));
    }

    @Test
    void publish_forgetsBackendsThatNoRouteUsesAnyMore() {
        SnapshotPublisher publisher = new SnapshotPublisher(table, null);
        publisher.publish(translation(
                List.of(ruleSet("a", Instant.EPOCH, "a.example.com", ALPACA)),
                Map.of(ALPACA, ONE),
                Map.of(),
                List.of()));
        Backend before = table.backend(ALPACA);
        publisher.publish(translation(List.of(), Map.of(), Map.of(), List.of()));
        assertThat(table.current().route("a.example.com", "/").isNotFound()).isTrue();
        assertThat(table.backend(ALPACA)).isNotSameAs(before);
    }

    @Test
    void publish_putsCertificatesIntoTheStore() {
        CertificateStore store = CertificateStore.create(DefaultCertificate.generate());
        SnapshotPublisher publisher = new SnapshotPublisher(table, store);
        TlsCertificate cert = CertificateGenerator.forHosts("a.example.com").generate("default/cert");
        publisher.publish(translation(List.of(), Map.of(), Map.of("a.example.com", cert), List.of()));
        assertThat(store.certificateFor("a.example.com").id()).isEqualTo("default/cert");
        assertThat(store.certificateFor("b.example.com").id()).isNotEqualTo("default/cert");
    }

    @Test
    void updateEndpoints_changesEndpointsWithoutANewSnapshot_andIgnoresUnreferencedBackends() {
        SnapshotPublisher publisher = new SnapshotPublisher(table, null);
        RoutingSnapshot snapshot = publisher.publish(translation(
                List.of(ruleSet("a", Instant.EPOCH, "a.example.com", ALPACA)),
                Map.of(ALPACA, List.of()),
                Map.of(),
                List.of()));
        publisher.updateEndpoints(Map.of(ALPACA, ONE, BANDICOOT, ONE));
        assertThat(table.current()).isSameAs(snapshot);
        assertThat(table.current().route("a.example.com", "/").backend().endpoints())
                .isEqualTo(ONE);
        assertThat(snapshot.refersTo(BANDICOOT)).isFalse();
    }

    private static Translation translation(
            List<IngressRuleSet> ruleSets,
            Map<BackendRef, List<Endpoint>> endpoints,
            Map<String, TlsCertificate> certificates,
            List<Problem> problems) {
        return new Translation(ruleSets, endpoints, certificates, null, problems);
    }

    private static IngressRuleSet ruleSet(String name, Instant created, String host, BackendRef backend) {
        return new IngressRuleSet(
                "default",
                name,
                created,
                List.of(new HostRule(host, List.of(new PathRule("/", PathType.PREFIX, backend)))),
                null,
                RouteOptions.DEFAULT);
    }
}
