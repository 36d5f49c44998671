package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Cluster mode against fabric8's mock API server in CRUD mode, asserting on the real routing table. */
final class ClusterSourceTest {

    @RegisterExtension
    final MockApiServer api = new MockApiServer();

    final KubernetesClient client = api.client();

    private final RoutingTable table = new RoutingTable();
    private final CertificateStore store = CertificateStore.create(DefaultCertificate.generate());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SnapshotPublisher publisher = new SnapshotPublisher(table, store, registry);
    private ClusterSource source;

    @AfterEach
    void close() {
        if (source != null) {
            // fabric8's mock server stalls when a watch closes while it is still being opened: let them settle.
            Routes.awaitValue(source::watching, true);
            source.close();
        }
    }

    @Test
    void ingressCreateUpdateDelete_routeAndUnroute() {
        create(
                ourClass(false),
                service("alpaca", "http"),
                slice("alpaca-1", "alpaca", "http", 9376, ready(1)),
                service("bandicoot", "http"),
                slice("bandicoot-1", "bandicoot", "http", 9377, ready(2)));
        start(WatcherSettings.defaults());
        assertThat(awaitReady()).isTrue();
        assertThat(Routes.target(table, "a.example.com", "/")).isEqualTo("404");

        create(ingress("a", "usher", "a.example.com", "alpaca"));
        assertThat(Routes.await(table, "a.example.com", "/", "alpaca:8080")).isEqualTo("alpaca:8080");
        assertThat(Routes.awaitEndpoints(table, "a.example.com", "/", List.of("10.0.0.1:9376")))
                .containsExactly("10.0.0.1:9376");

        client.resource(ingress("a", "usher", "a.example.com", "bandicoot")).update();
        assertThat(Routes.await(table, "a.example.com", "/", "bandicoot:8080")).isEqualTo("bandicoot:8080");

        client.resource(ingress("a", "usher", "a.example.com", "bandicoot")).delete();
        assertThat(Routes.await(table, "a.example.com", "/", "404")).isEqualTo("404");
    }

    @Test
    void ingressOfAForeignClass_getsNoRoute() {
        create(
                ourClass(false),
                new IngressClassBuilder()
                        .withNewMetadata()
                        .withName("nginx")
                        .endMetadata()
                        .withNewSpec()
                        .withController("k8s.io/ingress-nginx")
                        .endSpec()
                        .build(),
                service("alpaca", "http"),
                ingress("foreign", "nginx", "f.example.com", "alpaca"),
                ingress("ours", "usher", "o.example.com", "alpaca"));
        start(WatcherSettings.defaults());
        assertThat(Routes.await(table, "o.example.com", "/", "alpaca:8080")).isEqualTo("alpaca:8080");
        assertThat(Routes.target(table, "f.example.com", "/")).isEqualTo("404");
    }

    @Test
    void ingressWithoutClass_isTakenWhenOurClassIsDefault_orWithWatchIngressWithoutClass() {
        create(ourClass(true), service("alpaca", "http"), ingress("plain", null, "p.example.com", "alpaca"));
        start(WatcherSettings.defaults());
        assertThat(Routes.await(table, "p.example.com", "/", "alpaca:8080")).isEqualTo("alpaca:8080");
        close();

        client.resource(ourClass(false)).update();
        RoutingTable other = new RoutingTable();
        SnapshotPublisher otherPublisher = new SnapshotPublisher(other, null);
        source = ClusterSource.start(client, null, WatcherSettings.defaults(), otherPublisher);
        assertThat(Routes.awaitValue(otherPublisher::ready, true)).isTrue();
        assertThat(Routes.target(other, "p.example.com", "/")).isEqualTo("404");
        close();

        RoutingTable third = new RoutingTable();
        SnapshotPublisher thirdPublisher = new SnapshotPublisher(third, null);
        source = ClusterSource.start(
                client, null, WatcherSettings.defaults().withWatchIngressWithoutClass(true), thirdPublisher);
        assertThat(Routes.await(third, "p.example.com", "/", "alpaca:8080")).isEqualTo("alpaca:8080");
    }

    @Test
    void endpointSliceScaleFrom1To10_updatesEndpointsWithoutARouteRebuild_notReadyUnused() {
        create(
                ourClass(false),
                service("alpaca", "http"),
                slice("alpaca-1", "alpaca", "http", 9376, ready(1)),
                ingress("a", "usher", "a.example.com", "alpaca"));
        start(WatcherSettings.defaults());
        assertThat(Routes.awaitEndpoints(table, "a.example.com", "/", List.of("10.0.0.1:9376")))
                .hasSize(1);
        RoutingSnapshot before = table.current();

        List<Endpoint> endpoints = new ArrayList<>(ready(10));
        endpoints.add(new EndpointBuilder()
                .withAddresses("10.0.1.99")
                .withNewConditions()
                .withReady(false)
                .endConditions()
                .build());
        client.resource(slice("alpaca-1", "alpaca", "http", 9376, endpoints)).update();
        List<String> expected = IntStream.rangeClosed(1, 10)
                .mapToObj(i -> "10.0.0." + i + ":9376")
                .sorted()
                .toList();
        assertThat(Routes.awaitEndpoints(table, "a.example.com", "/", expected))
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(table.current()).isSameAs(before);
        // The metrics are recorded just after the endpoints are published: await them.
        assertThat(Routes.awaitValue(
                        () -> registry.get("usher.config.builds")
                                                .tag("kind", "endpoints")
                                                .counter()
                                                .count()
                                        > 0
                                && registry.get("usher.config.propagation")
                                                .timer()
                                                .count()
                                        > 0,
                        true))
                .isTrue();
        assertThat(registry.get("usher.config.builds")
                        .tag("kind", "routes")
                        .counter()
                        .count())
                .isPositive();
        assertThat(registry.get("usher.config.propagation").timer().count()).isPositive();
        assertThat(registry.get("usher.config.last.build.timestamp").gauge().value())
                .isPositive();
    }

    @Test
    void namedServicePort_mapsToTheEndpointSlicePortOfTheSameName() {
        Ingress named = new IngressBuilder(ingress("n", "usher", "n.example.com", "alpaca"))
                .editSpec()
                .editFirstRule()
                .editHttp()
                .editFirstPath()
                .editBackend()
                .editService()
                .withNewPort()
                .withName("http")
                .endPort()
                .endService()
                .endBackend()
                .endPath()
                .endHttp()
                .endRule()
                .endSpec()
                .build();
        create(
                ourClass(false),
                service("alpaca", "http"),
                slice("alpaca-1", "alpaca", "http", 9376, ready(1)),
                slice("alpaca-metrics", "alpaca", "metrics", 9090, ready(3)),
                named);
        start(WatcherSettings.defaults());
        assertThat(Routes.await(table, "n.example.com", "/", "alpaca:http")).isEqualTo("alpaca:http");
        assertThat(Routes.awaitEndpoints(table, "n.example.com", "/", List.of("10.0.0.1:9376")))
                .containsExactly("10.0.0.1:9376");
    }

    @Test
    void tlsSecret_referencedByAnIngress_reachesTheCertificateStore() {
        TlsCertificate cert = CertificateGenerator.forHosts("a.example.com").generate("generated");
        Ingress withTls = new IngressBuilder(ingress("a", "usher", "a.example.com", "alpaca"))
                .editSpec()
                .addNewTl()
                .withHosts("a.example.com")
                .withSecretName("a-cert")
                .endTl()
                .endSpec()
                .build();
        create(ourClass(false), service("alpaca", "http"), withTls);
        start(WatcherSettings.defaults());
        assertThat(awaitReady()).isTrue();
        assertThat(publisher.problems()).anyMatch(p -> p.message().contains("Secret default/a-cert not found"));

        create(tlsSecret("a-cert", cert));
        // The certificate and the problems of one build are two writes: await the state asserted, both of them.
        assertThat(Routes.awaitValue(
                        () -> store.certificateFor("a.example.com").id().equals("default/a-cert")
                                && publisher.problems().isEmpty(),
                        true))
                .isTrue();
        assertThat(publisher.problems()).isEmpty();
    }

    @Test
    void oneNamespaceWatched_ingressesOfOtherNamespacesGetNoRoute() {
        Ingress elsewhere = new IngressBuilder(ingress("b", "usher", "b.example.com", "alpaca"))
                .editMetadata()
                .withNamespace("team-b")
                .endMetadata()
                .build();
        create(ourClass(false), service("alpaca", "http"), ingress("a", "usher", "a.example.com", "alpaca"), elsewhere);
        source = ClusterSource.start(client, "default", WatcherSettings.defaults(), publisher);
        assertThat(Routes.await(table, "a.example.com", "/", "alpaca:8080")).isEqualTo("alpaca:8080");
        assertThat(Routes.target(table, "b.example.com", "/")).isEqualTo("404");
    }

    @Test
    void close_stopsTheClusterThread() {
        start(WatcherSettings.defaults());
        assertThat(awaitReady()).isTrue();
        close();
        source = null;
        assertThat(Routes.awaitValue(
                        () -> Thread.getAllStackTraces().keySet().stream()
                                .noneMatch(t -> t.getName().equals("usher-cluster") && t.isAlive()),
                        true))
                .isTrue();
    }

    private void start(WatcherSettings settings) {
        source = ClusterSource.start(client, null, settings, publisher);
    }

    private boolean awaitReady() {
        return Routes.awaitValue(publisher::ready, true);
    }

    private void create(HasMetadata... objects) {
        for (HasMetadata object : objects) {
            // Idempotent: on a saturated machine a timed-out POST may be retried after it already succeeded.
            client.resource(object).createOr(NonDeletingOperation::update);
        }
    }

    private static IngressClass ourClass(boolean isDefault) {
        return new IngressClassBuilder()
                .withNewMetadata()
                .withName("usher")
                .addToAnnotations("ingressclass.kubernetes.io/is-default-class", Boolean.toString(isDefault))
                .endMetadata()
                .withNewSpec()
                .withController(WatcherSettings.DEFAULT_CONTROLLER_NAME)
                .endSpec()
                .build();
    }

    private static Ingress ingress(String name, String className, String host, String service) {
        return new IngressBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("default")
                .endMetadata()
                .withNewSpec()
                .withIngressClassName(className)
                .addNewRule()
                .withHost(host)
                .withNewHttp()
                .addNewPath()
                .withPath("/")
                .withPathType("Prefix")
                .withNewBackend()
                .withNewService()
                .withName(service)
                .withNewPort()
                .withNumber(8080)
                .endPort()
                .endService()
                .endBackend()
                .endPath()
                .endHttp()
                .endRule()
                .endSpec()
                .build();
    }

    private static Service service(String name, String portName) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("default")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName(portName)
                .withPort(8080)
                .withTargetPort(new IntOrString("web"))
                .endPort()
                .addNewPort()
                .withName("metrics")
                .withPort(9090)
                .endPort()
                .endSpec()
                .build();
    }

    private static List<Endpoint> ready(int count) {
        return IntStream.rangeClosed(1, count)
                .mapToObj(i -> new EndpointBuilder()
                        .withAddresses("10.0.0." + i)
                        .withNewConditions()
                        .withReady(true)
                        .endConditions()
                        .build())
                .toList();
    }

    private static EndpointSlice slice(
            String name, String service, String portName, int port, List<Endpoint> endpoints) {
        return new EndpointSliceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("default")
                .addToLabels("kubernetes.io/service-name", service)
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort()
                .withName(portName)
                .withPort(port)
                .withProtocol("TCP")
                .endPort()
                .withEndpoints(endpoints)
                .build();
    }

    private static Secret tlsSecret(String name, TlsCertificate cert) {
        Base64.Encoder b64 = Base64.getEncoder();
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("default")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToData("tls.crt", b64.encodeToString(PemCertificates.certificatesPem(cert.chain())))
                .addToData(
                        "tls.key",
                        b64.encodeToString(PemCertificates.privateKeyPem(cert.key(), PemCertificates.KeyFormat.PKCS8)))
                .build();
    }
}
