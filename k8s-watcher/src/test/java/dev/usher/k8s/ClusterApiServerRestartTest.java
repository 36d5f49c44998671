package dev.usher.k8s;

import static dev.usher.k8s.KubeFixtures.create;
import static dev.usher.k8s.KubeFixtures.ingress;
import static dev.usher.k8s.KubeFixtures.ourClass;
import static dev.usher.k8s.KubeFixtures.service;
import static dev.usher.k8s.KubeFixtures.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.RoutingTable;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The API server stopping and returning: the table keeps serving while it is away, and once the informers have
 * reconnected, changes reach the table again. Two fabric8 mock API servers in CRUD mode, the second started on the
 * first one's port after the first is shut down, so the watcher's own client reconnects to the address it knew.
 *
 * <p>What the mock cannot show: changes made <em>while</em> the server was away. A real API server keeps its
 * resourceVersion across a restart, so a resumed watch either replays what was missed from its watch cache or is
 * answered {@code 410 Gone}, upon which fabric8 relists. The mock server starts a new one at 1, ignores the
 * resourceVersion of a watch (neither replaying nor answering 410) and never makes the informers relist, so objects it
 * holds before the watches resume never reach them. So the returning server is given the cluster's objects (same
 * content, hence no change), and the change is made after {@code watching()} is true again.
 */
final class ClusterApiServerRestartTest {

    private static final Duration AWAY = Duration.ofSeconds(2);

    private final List<KubernetesMockServer> servers = new ArrayList<>();
    private final List<KubernetesClient> clients = new ArrayList<>();
    private final RoutingTable table = new RoutingTable();
    private final SnapshotPublisher publisher = new SnapshotPublisher(table, null);
    private ClusterSource source;

    @AfterEach
    void close() {
        if (source != null) {
            Routes.awaitValue(source::watching, true);
            source.close();
        }
        clients.forEach(KubernetesClient::close);
        servers.forEach(KubernetesMockServer::destroy);
    }

    @Test
    void apiServerStoppingAndReturning_keepsTheTable_thenPicksUpChangesOnceTheWatchesResume() throws Exception {
        KubernetesMockServer first = server(0);
        KubernetesClient watcherClient = client(first);
        create(
                watcherClient,
                ourClass(),
                service("default", "alpaca"),
                slice("default", "alpaca", "10.0.0.1"),
                ingress("default", "a", "a.example.com", "alpaca"));
        source = ClusterSource.start(watcherClient, null, WatcherSettings.defaults(), publisher);
        assertThat(Routes.awaitEndpoints(table, "a.example.com", "/", List.of("10.0.0.1:9376")))
                .containsExactly("10.0.0.1:9376");
        assertThat(Routes.awaitValue(source::watching, true)).isTrue();

        int port = first.getPort();
        first.destroy();
        servers.remove(first);
        assertThat(Routes.awaitValue(source::watching, false)).isFalse();
        // While the API server is away, the table stays as it was.
        assertThat(Routes.sample(() -> Routes.target(table, "a.example.com", "/"), AWAY))
                .isNotEmpty()
                .containsOnly("alpaca:8080");
        assertThat(Routes.awaitEndpoints(table, "a.example.com", "/", List.of("10.0.0.1:9376")))
                .containsExactly("10.0.0.1:9376");

        // The API server comes back on the same address with the cluster's objects; once the informers have resumed
        // their watches, a moves to bandicoot and b is added.
        KubernetesMockServer second = server(port);
        assertThat(Routes.awaitValue(source::watching, true)).isTrue();
        KubernetesClient admin = client(second);
        create(
                admin,
                ourClass(),
                service("default", "alpaca"),
                slice("default", "alpaca", "10.0.0.1"),
                ingress("default", "a", "a.example.com", "alpaca"));
        create(
                admin,
                service("default", "bandicoot"),
                slice("default", "bandicoot", "10.0.0.2"),
                ingress("default", "b", "b.example.com", "bandicoot"));
        admin.resource(ingress("default", "a", "a.example.com", "bandicoot")).update();
        assertThat(Routes.await(table, "a.example.com", "/", "bandicoot:8080")).isEqualTo("bandicoot:8080");
        assertThat(Routes.await(table, "b.example.com", "/", "bandicoot:8080")).isEqualTo("bandicoot:8080");
        assertThat(Routes.awaitEndpoints(table, "a.example.com", "/", List.of("10.0.0.2:9376")))
                .containsExactly("10.0.0.2:9376");
    }

    private KubernetesMockServer server(int port) {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        servers.add(server);
        return server;
    }

    private KubernetesClient client(KubernetesMockServer server) {
        KubernetesClient client = server.createClient();
        clients.add(client);
        return client;
    }
}
