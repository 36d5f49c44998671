package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.ExternalAuth;
import dev.usher.routing.ObjectRef;
import dev.usher.routing.Route;
import dev.usher.routing.RoutingTable;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * auth-proxy-set-headers in cluster mode (fabric8's mock API server, CRUD mode): the ConfigMap an Ingress with auth-url
 * names is watched by name, beside custom-headers' and alone (never the cluster's other ConfigMaps); its creation and
 * changes reach the auth request's fields without a restart, a bad entry fails the Ingress closed, and when the
 * Ingress drops auth-url (the annotation then has no effect) the informer stops.
 */
final class ClusterAuthProxySetHeadersTest {

    private static final String N = "nginx.ingress.kubernetes.io/";

    @RegisterExtension
    final ClusterHarness cluster = new ClusterHarness();

    private final KubernetesClient client = cluster.client;
    private final RoutingTable table = cluster.table;

    @Test
    void theNamedConfigMap_isWatchedByName_andItsChangesReachTheAuthRequestLive() {
        Ingress ingress = KubeFixtures.ingress("default", "guarded", "a.example.com", "alpaca");
        ingress.getMetadata()
                .setAnnotations(Map.of(
                        N + "auth-url", "http://auth.default.svc/check",
                        N + "auth-proxy-set-headers", "auth-headers"));
        KubeFixtures.create(
                client,
                KubeFixtures.ourClass(),
                KubeFixtures.service("default", "alpaca"),
                KubeFixtures.slice("default", "alpaca", "10.0.0.1"),
                ingress,
                configMap("kube-root-ca.crt", Map.of("ca.crt", "not read")),
                configMap("unrelated", Map.of("X-Team", "never")));
        ClusterSource source = cluster.start(WatcherSettings.defaults());
        Supplier<String> state = () -> {
            Route route = table.current().route("a.example.com", "/");
            if (route == null) {
                return "no route";
            }
            if (route.options().denied() != null) {
                return "denied";
            }
            ExternalAuth auth = route.options().externalAuth();
            if (auth == null) {
                return "no auth";
            }
            return auth.proxySetHeaders().stream()
                    .map(e -> e.name() + ": " + e.value())
                    .toList()
                    .toString();
        };
        assertThat(Routes.awaitValue(state, "denied")).isEqualTo("denied"); // missing: fails closed
        assertThat(source.watchedConfigMaps()).containsExactly(new ObjectRef("default", "auth-headers"));

        KubeFixtures.create(client, configMap("auth-headers", Map.of("X-Team", "blue")));
        assertThat(Routes.awaitValue(state, "[x-team: blue]")).isEqualTo("[x-team: blue]");

        KubeFixtures.create(client, configMap("auth-headers", Map.of("X-Team", "green", "X-Client", "$remote_addr")));
        assertThat(Routes.awaitValue(state, "[x-client: $remote_addr, x-team: green]"))
                .isEqualTo("[x-client: $remote_addr, x-team: green]");

        KubeFixtures.create(client, configMap("auth-headers", Map.of("X-Start", "t=${msec}")));
        assertThat(Routes.awaitValue(state, "denied")).isEqualTo("denied"); // a variable Usher does not expand

        KubeFixtures.create(client, configMap("auth-headers", Map.of("X-Team", "red")));
        assertThat(Routes.awaitValue(state, "[x-team: red]")).isEqualTo("[x-team: red]");

        // custom-headers' ConfigMap is watched beside it, each by name
        client.network()
                .v1()
                .ingresses()
                .inNamespace("default")
                .withName("guarded")
                .edit(i -> {
                    i.getMetadata()
                            .setAnnotations(Map.of(
                                    N + "auth-url", "http://auth.default.svc/check",
                                    N + "auth-proxy-set-headers", "auth-headers",
                                    N + "custom-headers", "team-headers"));
                    return i;
                });
        assertThat(Routes.awaitValue(() -> source.watchedConfigMaps().size(), 2))
                .isEqualTo(2);
        assertThat(source.watchedConfigMaps())
                .containsExactlyInAnyOrder(
                        new ObjectRef("default", "auth-headers"), new ObjectRef("default", "team-headers"));

        // without auth-url the annotation has no effect: nothing to watch for it
        client.network()
                .v1()
                .ingresses()
                .inNamespace("default")
                .withName("guarded")
                .edit(i -> {
                    i.getMetadata().setAnnotations(Map.of(N + "auth-proxy-set-headers", "auth-headers"));
                    return i;
                });
        assertThat(Routes.awaitValue(state, "no auth")).isEqualTo("no auth");
        assertThat(Routes.awaitValue(() -> source.watchedConfigMaps().isEmpty(), true))
                .isTrue();
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
