package dev.usher.benchmarks.load;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * fabric8's mock API server in CRUD mode on loopback, for Usher in cluster mode: the churn's objects go in through a
 * client, and Usher (a child process) watches them through a kubeconfig written here. Endpoints become
 * EndpointSlices (one per port, {@code <service>-<port>}), since cluster mode reads slices.
 */
final class ClusterApi implements ChurnTarget, AutoCloseable {

    static final String NAMESPACE = "default";
    private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final Path kubeconfig;

    private ClusterApi(KubernetesMockServer server, Path kubeconfig) {
        this.server = server;
        this.client = server.createClient();
        this.kubeconfig = kubeconfig;
    }

    /** The mock server logs every request it answers (java.util.logging, INFO): the harness keeps its warnings. */
    private static final Logger MOCK_SERVER_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    /** Starts the server and writes {@code dir/kubeconfig} pointing at it. */
    static ClusterApi start(Path dir) throws IOException {
        MOCK_SERVER_LOG.setLevel(Level.WARNING);
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: bench
                  cluster:
                    server: http://127.0.0.1:%d
                users:
                - name: bench
                  user:
                    token: bench
                contexts:
                - name: bench
                  context:
                    cluster: bench
                    user: bench
                    namespace: %s
                current-context: bench
                """.formatted(server.getPort(), NAMESPACE), StandardCharsets.UTF_8);
        return new ClusterApi(server, kubeconfig);
    }

    Path kubeconfig() {
        return kubeconfig;
    }

    /**
     * Creates every object of the manifests folder {@link BenchManifests#write} filled, but its Endpoints: those are
     * {@code originPorts} (origin {@code i} on port {@code i}) as EndpointSlices.
     */
    void load(Path manifests, List<Integer> originPorts) throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(manifests)) {
            files = listed.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                for (HasMetadata object : client.load(in).items()) {
                    if (object.getKind().equals("Endpoints")) {
                        continue;
                    }
                    if (object instanceof Namespaced) {
                        object.getMetadata().setNamespace(NAMESPACE);
                    }
                    client.resource(object).createOr(NonDeletingOperation::update);
                }
            }
        }
        for (int i = 0; i < originPorts.size(); i++) {
            endpoints(BenchManifests.serviceName(i), List.of(originPorts.get(i)));
        }
    }

    @Override
    public void ingress(String name, String yaml) {
        Ingress ingress = client.getKubernetesSerialization().unmarshal(yaml, Ingress.class);
        ingress.getMetadata().setNamespace(NAMESPACE);
        client.resource(ingress).createOr(NonDeletingOperation::update);
    }

    /** Creates the slices of ports not served yet before it deletes those of ports no longer wanted. */
    @Override
    public void endpoints(String service, List<Integer> ports) {
        Set<String> wanted = new HashSet<>();
        for (int port : ports) {
            EndpointSlice slice = slice(service, port);
            wanted.add(slice.getMetadata().getName());
            client.resource(slice).createOr(NonDeletingOperation::update);
        }
        for (EndpointSlice slice : client.discovery()
                .v1()
                .endpointSlices()
                .inNamespace(NAMESPACE)
                .withLabel(SERVICE_NAME_LABEL, service)
                .list()
                .getItems()) {
            if (!wanted.contains(slice.getMetadata().getName())) {
                client.resource(slice).delete();
            }
        }
    }

    private static EndpointSlice slice(String service, int port) {
        return new EndpointSliceBuilder()
                .withNewMetadata()
                .withName(service + "-" + port)
                .withNamespace(NAMESPACE)
                .addToLabels(SERVICE_NAME_LABEL, service)
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort()
                .withName("http")
                .withPort(port)
                .withProtocol("TCP")
                .endPort()
                .addNewEndpoint()
                .withAddresses("127.0.0.1")
                .withNewConditions()
                .withReady(true)
                .endConditions()
                .endEndpoint()
                .build();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
