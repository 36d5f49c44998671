package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.ObjectRef;
import dev.usher.routing.Route;
import dev.usher.routing.RoutingTable;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * custom-headers in cluster mode (fabric8's mock API server, CRUD mode): the ConfigMap an Ingress names is watched,
 * by name and alone (not the cluster's other ConfigMaps), and its creation, changes and deletion change the route's
 * response edits without a restart; when no Ingress names it any more, its informer stops.
 */
final class ClusterCustomHeadersTest {

    private static final String KEY = "nginx.ingress.kubernetes.io/custom-headers";

    @RegisterExtension
    final ClusterHarness cluster = new ClusterHarness();

    private final KubernetesClient client = cluster.client;
    private final RoutingTable table = cluster.table;

    @Test
    void theNamedConfigMap_isWatchedAlone_andItsChangesReachTheRouteLive() {
        Ingress ingress = KubeFixtures.ingress("default", "headers", "a.example.com", "alpaca");
        ingress.getMetadata().setAnnotations(Map.of(KEY, "team-headers"));
        KubeFixtures.create(
                client,
                KubeFixtures.ourClass(),
                KubeFixtures.service("default", "alpaca"),
                KubeFixtures.slice("default", "alpaca", "10.0.0.1"),
                ingress,
                configMap("kube-root-ca.crt", Map.of("ca.crt", "not read")),
                configMap("unrelated", Map.of("X-Team", "never")));
        ClusterSource source = cluster.start(WatcherSettings.defaults().withAllowedResponseHeaders(List.of("X-Team")));
        Supplier<String> state = () -> {
            Route route = table.current().route("a.example.com", "/");
            if (route == null) {
                return "no route";
            }
            if (route.options().denied() != null) {
                return "denied";
            }
            return route.options().headerEdits().stream()
                    .map(e -> e.name() + ": " + e.value())
                    .toList()
                    .toString();
        };
        assertThat(Routes.awaitValue(state, "denied")).isEqualTo("denied"); // missing: fails closed
        assertThat(source.watchedConfigMaps()).containsExactly(new ObjectRef("default", "team-headers"));

        KubeFixtures.create(client, configMap("team-headers", Map.of("X-Team", "blue")));
        assertThat(Routes.awaitValue(state, "[x-team: blue]")).isEqualTo("[x-team: blue]");

        KubeFixtures.create(client, configMap("team-headers", Map.of("X-Team", "green")));
        assertThat(Routes.awaitValue(state, "[x-team: green]")).isEqualTo("[x-team: green]");

        KubeFixtures.create(client, configMap("team-headers", Map.of("X-Team", "green", "Set-Cookie", "a=1")));
        assertThat(Routes.awaitValue(state, "denied")).isEqualTo("denied"); // a name not allowed

        client.configMaps().inNamespace("default").withName("team-headers").delete();
        KubeFixtures.create(client, configMap("team-headers", Map.of("X-Team", "red")));
        assertThat(Routes.awaitValue(state, "[x-team: red]")).isEqualTo("[x-team: red]");

        client.network()
                .v1()
                .ingresses()
                .inNamespace("default")
                .withName("headers")
                .edit(i -> {
                    i.getMetadata().setAnnotations(Map.of());
                    return i;
                });
        assertThat(Routes.awaitValue(state, "[]")).isEqualTo("[]");
        assertThat(source.watchedConfigMaps()).isEmpty();
    }

    private static ConfigMap configMap(String name, Map<String, String> data) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("default")
                .endMetadata()
                .withData(data)
                .build();
    }
}
