package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.proxy.echo.EchoServer;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code usher run} without {@code --manifests}: the launcher's assembly on fabric8's mock API server. */
final class ClusterModeEndToEndTest {

    @RegisterExtension
    final AlpacaCluster cluster = new AlpacaCluster();

    final KubernetesClient client = cluster.client();
    final EchoServer alpaca = cluster.alpaca();

    private Controller controller;

    @Test
    void withoutManifests_followsTheApiServer_andBecomesReadyAfterTheSync() throws Exception {
        cluster.createAlpaca();

        controller = cluster.start();
        assertThat(controller.startupCollected())
                .as("the start-up's garbage is collected before the first ready answer")
                .isTrue();
        assertThat(ClusterFixture.answers(controller, "service", 1)).containsExactly("alpaca");
    }

    @Test
    void endpointSliceScaledFrom1To10_spreads100RequestsOverAll10_andTheNotReadyOneGetsNone() throws Exception {
        cluster.createAlpaca();
        // Ten more pods on the same port at other loopback addresses, and one that is not ready.
        List<EchoServer> pods = new ArrayList<>();
        try {
            for (int i = 2; i <= 12; i++) {
                pods.add(EchoServer.builder()
                        .bindAddress("127.0.0." + i)
                        .port(alpaca.port())
                        .name("pod-" + i)
                        .build()
                        .start());
            }
            controller = cluster.start();
            assertThat(names(10)).containsOnly("alpaca");

            EndpointSliceBuilder scaled = ClusterFixture.alpacaSliceBuilder(alpaca.port());
            for (int i = 2; i <= 11; i++) {
                scaled.addNewEndpoint()
                        .withAddresses("127.0.0." + i)
                        .withNewConditions()
                        .withReady(true)
                        .endConditions()
                        .endEndpoint();
            }
            scaled.addNewEndpoint()
                    .withAddresses("127.0.0.12")
                    .withNewConditions()
                    .withReady(false)
                    .endConditions()
                    .endEndpoint();
            client.discovery()
                    .v1()
                    .endpointSlices()
                    .inNamespace("default")
                    .resource(scaled.build())
                    .update();
            await().atMost(Duration.ofSeconds(20)).until(() -> !names(1).contains("alpaca"));

            Map<String, Integer> counts = new HashMap<>();
            for (String name : names(100)) {
                counts.merge(name, 1, Integer::sum);
            }
            assertThat(counts.keySet())
                    .containsExactlyInAnyOrder(
                            "pod-2", "pod-3", "pod-4", "pod-5", "pod-6", "pod-7", "pod-8", "pod-9", "pod-10", "pod-11");
            assertThat(counts.values()).allMatch(n -> n >= 5); // round-robin per event loop: about 10 each
            assertThat(pods.get(pods.size() - 1).connectionsAccepted())
                    .as("not-ready pod")
                    .isZero();
        } finally {
            pods.forEach(EchoServer::close);
        }
    }

    /** The echo names that answer {@code n} requests to alpaca.example.com, one connection each. */
    private List<String> names(int n) throws IOException {
        return ClusterFixture.answers(controller, "name", n);
    }

    @Test
    void withoutManifests_unknownHost_is404FromUsherItself() throws IOException {
        controller = cluster.start();

        assertThat(RawHttp.get(controller.httpPort(), "nobody.example.com", "/").status())
                .isEqualTo(404);
        assertThat(alpaca.connectionsAccepted()).isZero();
    }
}
