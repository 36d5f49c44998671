package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.k8s.MockApiServer;
import dev.usher.proxy.echo.EchoServer;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

/** {@code usher run} without {@code --manifests}: the launcher's assembly on fabric8's mock API server. */
final class ClusterModeEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @RegisterExtension
    final MockApiServer api = new MockApiServer();
    final KubernetesClient client = api.client();

    private EchoServer alpaca;
    private Controller controller;

    @BeforeEach
    void start() {
        alpaca = EchoServer.builder().name("alpaca").build().start();
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        alpaca.close();
    }

    private void createAlpaca() {
        client.network().v1().ingressClasses().resource(new IngressClassBuilder().withNewMetadata()
                .withName("usher").endMetadata().withNewSpec().withController("usher.dev/ingress-controller")
                .endSpec().build()).create();
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("alpaca")
                .withNamespace("default").endMetadata().withNewSpec().addNewPort().withName("http").withPort(8080)
                .endPort().endSpec().build()).create();
        client.discovery().v1().endpointSlices().inNamespace("default").resource(new EndpointSliceBuilder()
                .withNewMetadata().withName("alpaca-abc12").withNamespace("default")
                .addToLabels("kubernetes.io/service-name", "alpaca").endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions()
                .endEndpoint()
                .addNewPort().withName("http").withPort(alpaca.port()).withProtocol("TCP").endPort()
                .build()).create();
        client.network().v1().ingresses().inNamespace("default").resource(new IngressBuilder().withNewMetadata()
                .withName("host-ingress").withNamespace("default").endMetadata().withNewSpec()
                .withIngressClassName("usher")
                .addNewRule().withHost("alpaca.example.com").withNewHttp().addNewPath().withPath("/")
                .withPathType("Prefix").withNewBackend().withNewService().withName("alpaca").withNewPort()
                .withNumber(8080).endPort().endService().endBackend().endPath().endHttp().endRule()
                .endSpec().build()).create();
    }

    @Test
    void withoutManifests_followsTheApiServer_andBecomesReadyAfterTheSync() throws Exception {
        createAlpaca();

        controller = Controller.start(ControllerConfig.builder().bindAddress("127.0.0.1").httpPort(0)
                .httpsPort(-1).adminPort(0).drainTimeout(Duration.ofSeconds(2)).build(), () -> client);
        await().atMost(Duration.ofSeconds(60)).until(controller::ready);
        RawHttp.Response response = RawHttp.get(controller.httpPort(), "alpaca.example.com", "/");
        assertThat(response.status()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("service").asString()).isEqualTo("alpaca");
    }

    @Test
    void endpointSliceScaledFrom1To10_spreads100RequestsOverAll10_andTheNotReadyOneGetsNone() throws Exception {
        createAlpaca();
        // Ten more pods on the same port at other loopback addresses, and one that is not ready.
        List<EchoServer> pods = new ArrayList<>();
        try {
            for (int i = 2; i <= 12; i++) {
                pods.add(EchoServer.builder().bindAddress("127.0.0." + i).port(alpaca.port()).name("pod-" + i)
                        .build().start());
            }
            controller = Controller.start(ControllerConfig.builder().bindAddress("127.0.0.1").httpPort(0)
                    .httpsPort(-1).adminPort(0).drainTimeout(Duration.ofSeconds(2)).build(), () -> client);
            awaitReady();
            assertThat(names(10)).containsOnly("alpaca");

            EndpointSliceBuilder scaled = new EndpointSliceBuilder().withNewMetadata().withName("alpaca-abc12")
                    .withNamespace("default").addToLabels("kubernetes.io/service-name", "alpaca").endMetadata()
                    .withAddressType("IPv4")
                    .addNewPort().withName("http").withPort(alpaca.port()).withProtocol("TCP").endPort();
            for (int i = 2; i <= 11; i++) {
                scaled.addNewEndpoint().withAddresses("127.0.0." + i).withNewConditions().withReady(true)
                        .endConditions().endEndpoint();
            }
            scaled.addNewEndpoint().withAddresses("127.0.0.12").withNewConditions().withReady(false).endConditions()
                    .endEndpoint();
            client.discovery().v1().endpointSlices().inNamespace("default").resource(scaled.build()).update();
            await().atMost(Duration.ofSeconds(20)).until(() -> !names(1).contains("alpaca"));

            Map<String, Integer> counts = new HashMap<>();
            for (String name : names(100)) {
                counts.merge(name, 1, Integer::sum);
            }
            assertThat(counts.keySet()).containsExactlyInAnyOrder("pod-2", "pod-3", "pod-4", "pod-5", "pod-6",
                    "pod-7", "pod-8", "pod-9", "pod-10", "pod-11");
            assertThat(counts.values()).allMatch(n -> n >= 5); // round-robin per event loop: about 10 each
            assertThat(pods.get(pods.size() - 1).connectionsAccepted()).as("not-ready pod").isZero();
        } finally {
            pods.forEach(EchoServer::close);
        }
    }

    private void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).until(controller::ready);
    }

    /** The echo names that answer {@code n} requests to alpaca.example.com, one connection each. */
    private List<String> names(int n) throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RawHttp.Response response = RawHttp.get(controller.httpPort(), "alpaca.example.com", "/");
            assertThat(response.status()).isEqualTo(200);
            names.add(JSON.readTree(response.body()).get("name").asString());
        }
        return names;
    }

    @Test
    void withoutManifests_unknownHost_is404FromUsherItself() throws IOException {
        controller = Controller.start(ControllerConfig.builder().bindAddress("127.0.0.1").httpPort(0)
                .httpsPort(-1).adminPort(0).drainTimeout(Duration.ofSeconds(2)).build(), () -> client);
        await().atMost(Duration.ofSeconds(60)).until(controller::ready);

        assertThat(RawHttp.get(controller.httpPort(), "nobody.example.com", "/").status()).isEqualTo(404);
        assertThat(alpaca.connectionsAccepted()).isZero();
    }
}
