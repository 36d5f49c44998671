package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.RoutingTable;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Ingress status in cluster mode: written by the elected replica only, on our Ingresses only. */
final class ClusterStatusTest {

    // Short enough for a fail-over within the tests' patience even if the Lease is not released, long enough that a
    // leader on a loaded machine does not miss its renew deadline (a lost and regained lease re-records Events).
    private static final Duration LEASE = Duration.ofSeconds(8);
    private static final Duration RENEW = Duration.ofSeconds(6);
    private static final Duration RETRY = Duration.ofMillis(200);

    @RegisterExtension
    final MockApiServer api = new MockApiServer();

    final KubernetesClient client = api.client();

    private final List<ClusterSource> sources = new ArrayList<>();

    @BeforeEach
    void classes() {
        create(
                new IngressClassBuilder()
                        .withNewMetadata()
                        .withName("usher")
                        .endMetadata()
                        .withNewSpec()
                        .withController(WatcherSettings.DEFAULT_CONTROLLER_NAME)
                        .endSpec()
                        .build(),
                new IngressClassBuilder()
                        .withNewMetadata()
                        .withName("nginx")
                        .endMetadata()
                        .withNewSpec()
                        .withController("k8s.io/ingress-nginx")
                        .endSpec()
                        .build());
    }

    @AfterEach
    void close() {
        sources.forEach(this::close);
    }

    /** fabric8's mock server stalls when a watch closes while it is still being opened: let them settle first. */
    private void close(ClusterSource source) {
        Routes.awaitValue(source::watching, true);
        source.close();
    }

    @Test
    void status_isWrittenOnOurIngresses_neverOnAForeignOne_andRemovedWhenOneStopsBeingOurs() {
        start("replica-a", new StatusOptions(null, List.of("203.0.113.7"), "default", "usher-leader", "replica-a"));
        create(ingress("ours", "usher"), ingress("foreign", "nginx"));
        assertThat(awaitStatus("ours", List.of("203.0.113.7"))).containsExactly("203.0.113.7");
        assertThat(status("foreign")).isEmpty();

        client.resource(new IngressBuilder(client.network()
                                .v1()
                                .ingresses()
                                .inNamespace("default")
                                .withName("ours")
                                .get())
                        .editSpec()
                        .withIngressClassName("nginx")
                        .endSpec()
                        .build())
                .update();
        assertThat(awaitStatus("ours", List.of())).isEmpty();
        assertThat(status("foreign")).isEmpty();
    }

    @Test
    void status_takesThePublishServiceLoadBalancerAddresses() {
        create(new ServiceBuilder()
                .withNewMetadata()
                .withName("usher")
                .withNamespace("usher-system")
                .endMetadata()
                .withNewSpec()
                .withType("LoadBalancer")
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .withNewStatus()
                .withNewLoadBalancer()
                .addNewIngress()
                .withHostname("lb.example.net")
                .endIngress()
                .endLoadBalancer()
                .endStatus()
                .build());
        start(
                "replica-a",
                new StatusOptions(
                        "usher-system/usher", List.of("203.0.113.7"), "default", "usher-leader", "replica-a"));
        create(ingress("ours", "usher"));
        assertThat(awaitStatus("ours", List.of("lb.example.net"))).containsExactly("lb.example.net");
    }

    @Test
    void status_isWrittenByTheLeaderOnly_andTheNextLeaderTakesOver() {
        ClusterSource a = start(
                "replica-a", new StatusOptions(null, List.of("203.0.113.7"), "default", "usher-leader", "replica-a"));
        ClusterSource b = start(
                "replica-b", new StatusOptions(null, List.of("203.0.113.7"), "default", "usher-leader", "replica-b"));
        create(ingress("first", "usher"));
        assertThat(Routes.awaitValue(() -> a.leading() ^ b.leading(), true)).isTrue();
        assertThat(awaitStatus("first", List.of("203.0.113.7"))).containsExactly("203.0.113.7");
        ClusterSource leader = a.leading() ? a : b;
        ClusterSource follower = leader == a ? b : a;

        close(leader);
        sources.remove(leader);
        assertThat(Routes.awaitValue(follower::leading, true)).isTrue();
        create(ingress("second", "usher"));
        assertThat(awaitStatus("second", List.of("203.0.113.7"))).containsExactly("203.0.113.7");
    }

    /**
     * Another replica holds the Lease (its renewTime lies ahead, so it does not expire while we look): ours routes the
     * Ingresses but writes no status and records no Event; once that Lease is gone, ours is elected and does both.
     */
    @Test
    void replicaNotHoldingTheLease_writesNoStatusAndNoEvent_untilItIsElected() {
        create(new LeaseBuilder()
                .withNewMetadata()
                .withName("usher-leader")
                .withNamespace("default")
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity("replica-elsewhere")
                .withLeaseDurationSeconds(3)
                .withAcquireTime(ZonedDateTime.now(ZoneOffset.UTC))
                .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC).plusHours(1))
                .withLeaseTransitions(0)
                .endSpec()
                .build());
        RoutingTable table = new RoutingTable();
        ClusterSource b = start(
                "replica-b",
                new StatusOptions(null, List.of("203.0.113.7"), "default", "usher-leader", "replica-b"),
                new SnapshotPublisher(table, null));
        create(ingress("a-first", "usher"), ingress("b-second", "usher"));
        assertThat(Routes.await(table, "any.example.com", "/", "alpaca:8080")).isEqualTo("alpaca:8080");
        // While the other replica holds the lease, b stays a follower that writes nothing.
        assertThat(Routes.sample(
                        () -> b.leading() || !status("a-first").isEmpty() || events("b-second", "ConflictLost") != 0,
                        Duration.ofSeconds(2)))
                .isNotEmpty()
                .containsOnly(false);

        client.leases().inNamespace("default").withName("usher-leader").delete();
        assertThat(Routes.awaitValue(b::leading, true)).isTrue();
        assertThat(awaitStatus("a-first", List.of("203.0.113.7"))).containsExactly("203.0.113.7");
        assertThat(awaitStatus("b-second", List.of("203.0.113.7"))).containsExactly("203.0.113.7");
        assertThat(Routes.awaitValue(() -> events("b-second", "ConflictLost"), 1L))
                .isEqualTo(1L);
    }

    @Test
    void events_areRecordedOnceForALostConflictAndForEachProblem_byTheLeader() {
        start("replica-a", new StatusOptions(null, List.of("203.0.113.7"), "default", "usher-leader", "replica-a"));
        create(ingress("a-first", "usher"), ingress("b-second", "usher"));
        assertThat(Routes.awaitValue(() -> events("b-second", "ConflictLost"), 1L))
                .isEqualTo(1L);
        assertThat(Routes.awaitValue(() -> events("a-first", "IngressProblem"), 1L))
                .isEqualTo(1L);
        assertThat(events("a-first", "ConflictLost")).isZero();
        assertThat(client.v1().events().inNamespace("default").list().getItems())
                .filteredOn(e -> "ConflictLost".equals(e.getReason()))
                .singleElement()
                .satisfies(e -> assertThat(e.getMessage()).contains("routed by default/a-first"));

        create(ingress("c-third", "usher"));
        assertThat(Routes.awaitValue(() -> events("c-third", "IngressProblem"), 1L))
                .isEqualTo(1L);
        assertThat(events("b-second", "ConflictLost")).isEqualTo(1L);
        assertThat(events("a-first", "IngressProblem")).isEqualTo(1L);
    }

    private long events(String ingress, String reason) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> ingress.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .count();
    }

    private ClusterSource start(String name, StatusOptions options) {
        return start(name, options, new SnapshotPublisher(new RoutingTable(), null));
    }

    private ClusterSource start(String unusedReplicaName, StatusOptions options, SnapshotPublisher publisher) {
        ClusterSource source =
                ClusterSource.start(client, null, WatcherSettings.defaults(), publisher, options, LEASE, RENEW, RETRY);
        sources.add(source);
        // Objects are created once the watches are open: fabric8's mock server can stall a request that races a
        // watch being opened.
        Routes.awaitValue(source::watching, true);
        return source;
    }

    private List<String> awaitStatus(String ingress, List<String> expected) {
        return Routes.awaitValue(() -> status(ingress), expected);
    }

    private List<String> status(String name) {
        Ingress ingress = client.network()
                .v1()
                .ingresses()
                .inNamespace("default")
                .withName(name)
                .get();
        if (ingress == null
                || ingress.getStatus() == null
                || ingress.getStatus().getLoadBalancer() == null
                || ingress.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return ingress.getStatus().getLoadBalancer().getIngress().stream()
                .map((IngressLoadBalancerIngress lb) -> lb.getIp() != null ? lb.getIp() : lb.getHostname())
                .toList();
    }

    private void create(HasMetadata... objects) {
        for (HasMetadata object : objects) {
            // Idempotent: on a saturated machine a timed-out POST may be retried after it already succeeded.
            client.resource(object).createOr(NonDeletingOperation::update);
        }
    }

    private static Ingress ingress(String name, String className) {
        return new IngressBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("default")
                .endMetadata()
                .withNewSpec()
                .withIngressClassName(className)
                .withNewDefaultBackend()
                .withNewService()
                .withName("alpaca")
                .withNewPort()
                .withNumber(8080)
                .endPort()
                .endService()
                .endDefaultBackend()
                .endSpec()
                .build();
    }
}
