package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.proxy.echo.EchoServer;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPortBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ingress-nginx's {@code service-upstream} in cluster mode on fabric8's mock API server: the watched Service's
 * {@code spec.clusterIP} and port are the one endpoint, and turning the annotation off goes back to the Service's
 * endpoints (none here: 503), without a restart.
 */
final class ServiceUpstreamClusterTest {

    @RegisterExtension
    final AlpacaCluster cluster = new AlpacaCluster();

    final KubernetesClient client = cluster.client();

    private final EchoServer clustered =
            EchoServer.builder().name("clustered").build().start();

    @AfterEach
    void stop() {
        clustered.close();
    }

    @Test
    void theClusterIpOfTheWatchedService_servesUntilTheAnnotationGoes() throws IOException {
        cluster.createAlpaca();
        client.services()
                .inNamespace("default")
                .resource(new ServiceBuilder(ClusterFixture.service("clustered", "web", clustered.port()))
                        .editSpec()
                        .withClusterIP("127.0.0.1")
                        .endSpec()
                        .build())
                .create();
        client.network()
                .v1()
                .ingresses()
                .inNamespace("default")
                .resource(vip("true"))
                .create();

        Controller controller = cluster.start();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> RawHttp.get(controller.httpPort(), "vip.example.com", "/")
                                .status()
                        == 200);
        assertThat(RawHttp.get(controller.httpPort(), "vip.example.com", "/").body())
                .contains("\"name\":\"clustered\"");

        client.network()
                .v1()
                .ingresses()
                .inNamespace("default")
                .resource(vip("false"))
                .update();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> RawHttp.get(controller.httpPort(), "vip.example.com", "/")
                                .status()
                        == 503);
        assertThat(ClusterFixture.answers(controller, "name", 1)).containsExactly("alpaca");
    }

    private static Ingress vip(String serviceUpstream) {
        return new IngressBuilder(ClusterFixture.ingress(
                        "vip",
                        "vip.example.com",
                        "clustered",
                        new ServiceBackendPortBuilder().withName("web").build()))
                .editMetadata()
                .addToAnnotations("nginx.ingress.kubernetes.io/service-upstream", serviceUpstream)
                .endMetadata()
                .build();
    }
}
