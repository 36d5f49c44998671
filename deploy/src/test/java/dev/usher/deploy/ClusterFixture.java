package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.k8s.KubeFixtures;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPort;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cluster-mode end-to-end set-up on fabric8's mock API server: the "usher" IngressClass, Service alpaca (port 8080)
 * with the test's EndpointSlice, Ingress host-ingress (alpaca.example.com → alpaca), a launcher started on it, and
 * a counter of which echo origin answered.
 */
final class ClusterFixture {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ClusterFixture() {}

    /** Creates the IngressClass, Service alpaca, {@code slice} and host-ingress, in that order. */
    static void createAlpaca(KubernetesClient client, EndpointSlice slice) {
        client.network().v1().ingressClasses().resource(KubeFixtures.ourClass()).create();
        client.services()
                .inNamespace("default")
                .resource(service("alpaca", "http", 8080))
                .create();
        client.discovery()
                .v1()
                .endpointSlices()
                .inNamespace("default")
                .resource(slice)
                .create();
        client.network()
                .v1()
                .ingresses()
                .inNamespace("default")
                .resource(KubeFixtures.ingress("default", "host-ingress", "alpaca.example.com", "alpaca"))
                .create();
    }

    /** Service alpaca's EndpointSlice alpaca-abc12: one ready endpoint, 127.0.0.1:{@code port}, port name http. */
    static EndpointSlice alpacaSlice(int port) {
        return alpacaSliceBuilder(port)
                .addNewEndpoint()
                .withAddresses("127.0.0.1")
                .withNewConditions()
                .withReady(true)
                .endConditions()
                .endEndpoint()
                .build();
    }

    /** Service alpaca's EndpointSlice alpaca-abc12 with its port ({@code port}, named http), for the endpoints. */
    static EndpointSliceBuilder alpacaSliceBuilder(int port) {
        return new EndpointSliceBuilder()
                .withNewMetadata()
                .withName("alpaca-abc12")
                .withNamespace("default")
                .addToLabels("kubernetes.io/service-name", "alpaca")
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort()
                .withName("http")
                .withPort(port)
                .withProtocol("TCP")
                .endPort();
    }

    /** A Service {@code default/name} with one port. */
    static Service service(String name, String portName, int port) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("default")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName(portName)
                .withPort(port)
                .endPort()
                .endSpec()
                .build();
    }

    /** {@link KubeFixtures#ingress} with another port of the Service. */
    static Ingress ingress(String name, String host, String service, ServiceBackendPort port) {
        return new IngressBuilder(KubeFixtures.ingress("default", name, host, service))
                .editSpec()
                .editFirstRule()
                .editHttp()
                .editFirstPath()
                .editBackend()
                .editService()
                .withPort(port)
                .endService()
                .endBackend()
                .endPath()
                .endHttp()
                .endRule()
                .endSpec()
                .build();
    }

    /** The launcher's settings in cluster mode: loopback, ephemeral HTTP and admin ports, no HTTPS. */
    static ControllerConfig.Builder config() {
        return ControllerConfig.builder()
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .httpsPort(-1)
                .adminPort(0)
                .drainTimeout(Duration.ofSeconds(2));
    }

    /** Starts the launcher on {@code client} and waits until it is ready (its first sync is done). */
    static Controller startReady(ControllerConfig config, KubernetesClient client) throws IOException {
        Controller controller = Controller.start(config, () -> client);
        await().atMost(Duration.ofSeconds(60)).until(controller::ready);
        return controller;
    }

    /** The echo replies' {@code field} for {@code n} requests to alpaca.example.com, one connection each, all 200. */
    static List<String> answers(Controller controller, String field, int n) throws IOException {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RawHttp.Response response = RawHttp.get(controller.httpPort(), "alpaca.example.com", "/");
            assertThat(response.status()).isEqualTo(200);
            answers.add(JSON.readTree(response.body()).get(field).asString());
        }
        return answers;
    }
}
