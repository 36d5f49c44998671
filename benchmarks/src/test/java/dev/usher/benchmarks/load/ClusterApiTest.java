package dev.usher.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.k8s.ClusterSource;
import dev.usher.k8s.SnapshotPublisher;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.Endpoint;
import dev.usher.routing.Route;
import dev.usher.routing.RoutingTable;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The churn bench's cluster mode: the mock API server holds the generated folder's objects, and Usher's own cluster
 * source, on a client made from the kubeconfig the child process gets, routes them and follows the edits.
 */
final class ClusterApiTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final RoutingTable table = new RoutingTable();
    private final SnapshotPublisher publisher = new SnapshotPublisher(table, null);
    private ClusterSource source;

    @Test
    void theLoadedFolder_routesThroughTheClusterSource_andEachEditReachesIt() throws Exception {
        BenchManifests.write(dir, 2, 3, List.of(9001, 9002));
        try (ClusterApi api = ClusterApi.start(dir)) {
            api.load(dir, List.of(9001, 9002));
            Config config = Config.fromKubeconfig(Files.readString(api.kubeconfig()));
            try (KubernetesClient client =
                    new KubernetesClientBuilder().withConfig(config).build()) {
                source = ClusterSource.start(client, null, WatcherSettings.defaults(), publisher);
                await().atMost(PATIENCE).until(publisher::ready);
                assertThat(publisher.problems()).isEmpty();
                for (int host = 0; host < 2; host++) {
                    for (int path = 0; path < 3; path++) {
                        int origin = (host * 3 + path) % 2;
                        Route route = table.current().route(BenchManifests.hostName(host), "/p" + path);
                        assertThat(route.backend().ref().service()).isEqualTo(BenchManifests.serviceName(origin));
                        assertThat(ports(BenchManifests.hostName(host), "/p" + path))
                                .containsExactly(9001 + origin);
                    }
                }

                // a route edit: the Ingress is created, then replaced
                for (int k : List.of(7, 57)) {
                    api.ingress(
                            "churn-7",
                            BenchManifests.ingress(
                                    "churn-7",
                                    Churner.HOST,
                                    List.of(new BenchManifests.Rule("/churn/" + k, "Exact", "origin-1"))));
                    await().atMost(PATIENCE).until(() -> !table.current()
                            .route(Churner.HOST, "/churn/" + k)
                            .isNotFound());
                }
                assertThat(table.current().route(Churner.HOST, "/churn/7").isNotFound())
                        .isTrue();

                // endpoint edits: a port added, then the first one taken away
                api.endpoints("origin-0", List.of(9001, 9003));
                await().atMost(PATIENCE)
                        .until(() -> ports("h0.bench.test", "/p0").equals(Set.of(9001, 9003)));
                api.endpoints("origin-0", List.of(9003));
                await().atMost(PATIENCE)
                        .until(() -> ports("h0.bench.test", "/p0").equals(Set.of(9003)));
                source.close(); // its informers stop before their client closes
            }
        }
    }

    @AfterEach
    void closeSource() {
        if (source != null) {
            source.close(); // again, after a failure: a second close does nothing
        }
    }

    private Set<Integer> ports(String host, String path) {
        return table.current().route(host, path).backend().endpoints().stream()
                .map(Endpoint::port)
                .collect(Collectors.toSet());
    }
}
