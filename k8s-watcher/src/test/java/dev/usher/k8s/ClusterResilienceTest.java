package dev.usher.k8s;

import static dev.usher.k8s.KubeFixtures.create;
import static dev.usher.k8s.KubeFixtures.ingress;
import static dev.usher.k8s.KubeFixtures.ourClass;
import static dev.usher.k8s.KubeFixtures.service;
import static dev.usher.k8s.KubeFixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.RoutingTable;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cluster mode when objects vanish: a burst that empties the table is held back, real deletes apply, and a deleted
 * namespace takes its routes with it. Against fabric8's mock API server in CRUD mode.
 */
final class ClusterResilienceTest {

    @RegisterExtension
    final MockApiServer api = new MockApiServer();

    final KubernetesClient client = api.client();

    private final RoutingTable table = new RoutingTable();
    private final SnapshotPublisher publisher = new SnapshotPublisher(table, null);
    private ClusterSource source;
    /** Nanoseconds the cluster thread's clock is ahead of the real one. */
    private final AtomicLong skipped = new AtomicLong();

    @AfterEach
    void close() {
        if (source != null) {
            // fabric8's mock server stalls when a watch closes while it is still being opened: let them settle.
            Routes.awaitValue(source::watching, true);
            source.close();
        }
    }

    @Test
    void burstDeletingEveryIngress_keepsTheTableDuringTheGracePeriod_thenEmptiesIt() {
        create(
                client,
                ourClass(),
                service("default", "alpaca"),
                slice("default", "alpaca", "10.0.0.1"),
                ingress("default", "a", "a.example.com", "alpaca"),
                ingress("default", "b", "b.example.com", "alpaca"),
                ingress("default", "c", "c.example.com", "alpaca"));
        // A grace that cannot pass on its own however slow the machine: the test moves the clock past it.
        start(Duration.ofMinutes(5));
        assertThat(Routes.await(table, "c.example.com", "/", "alpaca:8080")).isEqualTo("alpaca:8080");

        // One deletecollection request: the watch reports three deletes in a row, as a relist that lost them would.
        client.network().v1().ingresses().inNamespace("default").delete();
        assertThat(Routes.awaitValue(source::holdingEmptyTable, true)).isTrue();
        // The first deletes may be published before the last one arrives (the table was idle, or the machine is
        // slow); what is held is the step to an empty table.
        assertThat(List.of(
                        Routes.target(table, "a.example.com", "/"),
                        Routes.target(table, "b.example.com", "/"),
                        Routes.target(table, "c.example.com", "/")))
                .contains("alpaca:8080");
        assertThat(source.holdingEmptyTable()).isTrue();

        skipped.addAndGet(Duration.ofMinutes(5).toNanos());
        // The first delete finds the table idle and may be built at once; whichever routes are still served are
        // the held ones, so all three gone means the hold ended.
        for (String host : List.of("a.example.com", "b.example.com", "c.example.com")) {
            assertThat(Routes.await(table, host, "/", "404")).isEqualTo("404");
        }
        assertThat(source.holdingEmptyTable()).isFalse();
    }

    @Test
    void ingressBackDuringTheGracePeriod_isPublishedAtOnce_withoutTheOnesThatStayedGone() {
        create(
                client,
                ourClass(),
                service("default", "alpaca"),
                ingress("default", "a", "a.example.com", "alpaca"),
                ingress("default", "b", "b.example.com", "alpaca"));
        // A grace far longer than the polling deadline: only an early release can pass this test.
        start(Duration.ofMinutes(5));
        assertThat(Routes.await(table, "b.example.com", "/", "alpaca:8080")).isEqualTo("alpaca:8080");

        client.network().v1().ingresses().inNamespace("default").delete();
        assertThat(Routes.awaitValue(source::holdingEmptyTable, true)).isTrue();
        create(client, ingress("default", "a", "a.example.com", "alpaca"));
        assertThat(Routes.await(table, "b.example.com", "/", "404")).isEqualTo("404");
        assertThat(Routes.target(table, "a.example.com", "/")).isEqualTo("alpaca:8080");
        assertThat(source.holdingEmptyTable()).isFalse();
    }

    @Test
    void singleDeleteOfTheLastIngress_isAppliedAtOnce() {
        create(client, ourClass(), service("default", "alpaca"), ingress("default", "a", "a.example.com", "alpaca"));
        start(Duration.ofMinutes(5));
        assertThat(Routes.await(table, "a.example.com", "/", "alpaca:8080")).isEqualTo("alpaca:8080");

        client.network().v1().ingresses().inNamespace("default").withName("a").delete();
        assertThat(Routes.await(table, "a.example.com", "/", "404")).isEqualTo("404");
        assertThat(source.holdingEmptyTable()).isFalse();
    }

    /**
     * The mock server does not run the namespace controller, so deleting a Namespace there does not cascade: the test
     * deletes team-a's Ingresses, Services and EndpointSlices and then the Namespace, as that controller would.
     */
    @Test
    void deletedNamespace_takesItsRoutesWithIt_otherNamespacesKeepTheirs() {
        create(
                client,
                ourClass(),
                new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("team-a")
                        .endMetadata()
                        .build(),
                new NamespaceBuilder()
                        .withNewMetadata()
                        .withName("team-b")
                        .endMetadata()
                        .build());
        for (String team : List.of("team-a", "team-b")) {
            create(
                    client,
                    service(team, "web"),
                    slice(team, "web", team.equals("team-a") ? "10.0.1.1" : "10.0.2.1"),
                    ingress(team, "site", team + ".example.com", "web"),
                    ingress(team, "api", "api." + team + ".example.com", "web"));
        }
        start(EmptyTableGuard.GRACE);
        assertThat(Routes.awaitEndpoints(table, "api.team-a.example.com", "/", List.of("10.0.1.1:9376")))
                .containsExactly("10.0.1.1:9376");
        assertThat(Routes.awaitEndpoints(table, "api.team-b.example.com", "/", List.of("10.0.2.1:9376")))
                .containsExactly("10.0.2.1:9376");

        client.network().v1().ingresses().inNamespace("team-a").delete();
        client.discovery().v1().endpointSlices().inNamespace("team-a").delete();
        client.services().inNamespace("team-a").delete();
        client.namespaces().withName("team-a").delete();

        assertThat(Routes.await(table, "team-a.example.com", "/", "404")).isEqualTo("404");
        assertThat(Routes.await(table, "api.team-a.example.com", "/", "404")).isEqualTo("404");
        assertThat(Routes.target(table, "team-b.example.com", "/")).isEqualTo("web:8080");
        assertThat(Routes.awaitEndpoints(table, "api.team-b.example.com", "/", List.of("10.0.2.1:9376")))
                .containsExactly("10.0.2.1:9376");
        assertThat(publisher.problems()).noneMatch(p -> p.message().contains("team-a"));
    }

    private void start(Duration emptyGrace) {
        source = ClusterSource.start(
                client,
                null,
                WatcherSettings.defaults(),
                publisher,
                null,
                StatusLeadership.LEASE,
                StatusLeadership.RENEW,
                StatusLeadership.RETRY,
                emptyGrace,
                () -> System.nanoTime() + skipped.get(),
                BuildPacing.THREAD_CPU_TIME);
        // Changes are made once the watches are open: the mock server can stall a request racing a watch opening.
        Routes.awaitValue(source::watching, true);
    }
}
