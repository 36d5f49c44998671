package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.k8s.MockApiServer;
import dev.usher.proxy.echo.EchoServer;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Topology-aware routing end to end, on fabric8's mock API server: Usher learns its zone from its node's label and
 * sends a hinted Service's requests only to the endpoints hinted for that zone, falling back to the others when none
 * of those is ready.
 */
final class ZoneAwareEndToEndTest {

    @RegisterExtension
    final MockApiServer api = new MockApiServer();

    final KubernetesClient client = api.client();

    private EchoServer local;
    private EchoServer remote;
    private Controller controller;

    @BeforeEach
    void start() {
        local = EchoServer.builder()
                .bindAddress("127.0.0.1")
                .name("pod-a")
                .build()
                .start();
        remote = EchoServer.builder()
                .bindAddress("127.0.0.2")
                .port(local.port())
                .name("pod-b")
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        local.close();
        remote.close();
    }

    private EndpointSlice slice(boolean localReady) {
        return ClusterFixture.alpacaSliceBuilder(local.port())
                .addNewEndpoint()
                .withAddresses("127.0.0.1")
                .withZone("zone-a")
                .withNewHints()
                .addNewForZone("zone-a")
                .endHints()
                .withNewConditions()
                .withReady(localReady)
                .endConditions()
                .endEndpoint()
                .addNewEndpoint()
                .withAddresses("127.0.0.2")
                .withZone("zone-b")
                .withNewHints()
                .addNewForZone("zone-b")
                .endHints()
                .withNewConditions()
                .withReady(true)
                .endConditions()
                .endEndpoint()
                .build();
    }

    private void createCluster() {
        client.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName("node-1")
                        .addToLabels("topology.kubernetes.io/zone", "zone-a")
                        .endMetadata()
                        .build())
                .create();
        ClusterFixture.createAlpaca(client, slice(true));
    }

    private Set<String> pods(int requests) throws IOException {
        return new HashSet<>(ClusterFixture.answers(controller, "pod", requests));
    }

    @Test
    void hintedService_sendsOnlyToOurZone_andFallsBackToTheOtherZoneWhenOursIsNotReady() throws Exception {
        createCluster();
        controller = ClusterFixture.startReady(
                ClusterFixture.config().nodeName("node-1").build(), client);

        assertThat(pods(20)).containsExactly("pod-a");
        assertThat(remote.connectionsAccepted()).isZero();
        String routes = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + controller.adminPort() + "/debug/routes"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(routes)
                .as("/debug/routes shows the endpoint's zone")
                .containsPattern("\"zone\"\\s*:\\s*\"zone-a\"")
                .doesNotContain("127.0.0.2");

        client.discovery()
                .v1()
                .endpointSlices()
                .inNamespace("default")
                .resource(slice(false))
                .update();

        await().atMost(Duration.ofSeconds(30)).until(() -> pods(1).contains("pod-b"));
        assertThat(pods(20)).containsExactly("pod-b");
    }
}
