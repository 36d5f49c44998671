package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPortBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The attack Contour's GHSA-5ph6-qq5x-7jwc describes, on Usher in cluster mode (fabric8's mock API server): whoever may
 * create a Service and an Ingress names {@code localhost} and the admin port, whose debug views answer loopback
 * clients, and sends {@code Host: localhost} upstream ({@code upstream-vhost}) to pass their DNS-rebinding check. Usher
 * refuses the backend (503, the problem listed) and the routes of other namespaces stay unread.
 */
final class ExternalNameClusterTest {

    @RegisterExtension
    final AlpacaCluster cluster = new AlpacaCluster();

    final KubernetesClient client = cluster.client();

    @Test
    void externalNameForLocalhost_doesNotReachTheAdminPortsDebugViews() throws IOException {
        cluster.createAlpaca();
        Controller controller = cluster.start();
        int admin = controller.adminPort();
        assertThat(RawHttp.get(admin, "localhost", "/debug/routes").body()).contains("alpaca.example.com");

        client.services()
                .inNamespace("default")
                .resource(new ServiceBuilder(ClusterFixture.service("peek", "http", admin))
                        .editSpec()
                        .withType("ExternalName")
                        .withExternalName("localhost")
                        .endSpec()
                        .build())
                .create();
        client.network()
                .v1()
                .ingresses()
                .inNamespace("default")
                .resource(new IngressBuilder(ClusterFixture.ingress(
                                "peek",
                                "peek.example.com",
                                "peek",
                                new ServiceBackendPortBuilder()
                                        .withNumber(admin)
                                        .build()))
                        .editMetadata()
                        .addToAnnotations("nginx.ingress.kubernetes.io/upstream-vhost", "localhost")
                        .endMetadata()
                        .build())
                .create();

        await().atMost(Duration.ofSeconds(20))
                .until(() -> RawHttp.get(controller.httpPort(), "peek.example.com", "/debug/routes")
                                .status()
                        == 503);
        RawHttp.Response peek = RawHttp.get(controller.httpPort(), "peek.example.com", "/debug/routes");
        assertThat(peek.body()).doesNotContain("alpaca.example.com");
        assertThat(RawHttp.get(admin, "localhost", "/debug/routes").body())
                .contains("Service default/peek is an ExternalName for 'localhost'");
        assertThat(ClusterFixture.answers(controller, "name", 1)).containsExactly("alpaca");
    }
}
