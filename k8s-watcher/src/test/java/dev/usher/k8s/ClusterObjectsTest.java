package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.WatcherSettings;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code usher check} against the API server: the objects listed once give the same report as a folder. */
final class ClusterObjectsTest {

    @RegisterExtension
    final MockApiServer api = new MockApiServer();

    final KubernetesClient client = api.client();

    @Test
    void list_ingressWithASnippet_isReportedServedWithTheSnippetRefused_andItsRoute() {
        Ingress shop = KubeFixtures.ingress("shop", "web", "shop.example.com", "web");
        shop.getMetadata().setAnnotations(Map.of("nginx.ingress.kubernetes.io/server-snippet", "x"));
        KubeFixtures.create(
                client,
                KubeFixtures.ourClass(),
                shop,
                KubeFixtures.service("shop", "web"),
                KubeFixtures.slice("shop", "web", "10.0.0.1"),
                KubeFixtures.ingress("other", "a", "a.example.com", "x"));

        CheckReport report = CheckReport.of(ClusterObjects.list(client, "shop"), List.of(), WatcherSettings.defaults());

        assertThat(report.ingresses()).singleElement().satisfies(e -> {
            assertThat(e.ingress()).isEqualTo("shop/web");
            assertThat(e.served()).isTrue();
            assertThat(e.annotations()).singleElement().satisfies(v -> assertThat(v.reason())
                    .contains("IngressNightmare"));
            assertThat(e.problems()).isEmpty();
            assertThat(e.routes())
                    .containsExactly(new CheckReport.RouteLine("shop.example.com", "/", "PREFIX", "shop/web:8080"));
        });
        assertThat(report.dropsAnything()).isTrue();
    }
}
