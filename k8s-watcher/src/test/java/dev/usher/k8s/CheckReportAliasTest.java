package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.KubeObjects;
import dev.usher.k8s.translate.WatcherSettings;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code usher check} on {@code server-alias}: each alias shows the host's routes, and an ignored alias is a conflict. */
final class CheckReportAliasTest {

    @Test
    void anAliasShowsTheHostsRoutes_andOneThatIsAnotherIngresssHostIsAConflict() {
        Ingress shop = KubeFixtures.ingress("shop", "web", "shop.example.com", "web");
        shop.getMetadata()
                .setAnnotations(
                        Map.of("nginx.ingress.kubernetes.io/server-alias", "www.shop.example.com, blog.example.com"));
        shop.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");
        Ingress blog = KubeFixtures.ingress("shop", "blog", "blog.example.com", "web");
        blog.getMetadata().setCreationTimestamp("2026-01-02T00:00:00Z");
        KubeObjects objects = KubeObjects.builder()
                .addAll(List.of(
                        KubeFixtures.ourClass(),
                        shop,
                        blog,
                        KubeFixtures.service("shop", "web"),
                        KubeFixtures.slice("shop", "web", "10.0.0.1")))
                .build();

        CheckReport report = CheckReport.of(objects, List.of(), WatcherSettings.defaults());

        assertThat(report.ingresses())
                .filteredOn(e -> e.ingress().equals("shop/web"))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.annotations()).singleElement().satisfies(v -> assertThat(v.reason())
                            .startsWith("as ingress-nginx"));
                    assertThat(e.routes())
                            .containsExactly(
                                    new CheckReport.RouteLine("shop.example.com", "/", "PREFIX", "shop/web:8080"),
                                    new CheckReport.RouteLine(
                                            "www.shop.example.com",
                                            "/",
                                            "PREFIX",
                                            "shop/web:8080 (server-alias of shop.example.com)"));
                    assertThat(e.conflicts())
                            .singleElement()
                            .asString()
                            .startsWith("lost blog.example.com (server-alias) to shop/blog")
                            .contains("real host wins");
                });
        assertThat(report.dropsAnything()).isTrue();
    }
}
