package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.RoutingTable;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Ingress status in cluster mode: written by the elected replica only, on our Ingresses only. */
@EnableKubernetesMockClient(crud = true)
final class ClusterStatusTest {

    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration RENEW = Duration.ofSeconds(2);
    private static final Duration RETRY = Duration.ofMillis(200);

    KubernetesClient client;

    private final List<ClusterSource> sources = new ArrayList<>();

    @BeforeEach
    void classes() {
        create(new IngressClassBuilder().withNewMetadata().withName("usher").endMetadata().withNewSpec()
                        .withController(WatcherSettings.DEFAULT_CONTROLLER_NAME).endSpec().build(),
                new IngressClassBuilder().withNewMetadata().withName("nginx").endMetadata().withNewSpec()
                        .withController("k8s.io/ingress-nginx").endSpec().build());
    }

    @AfterEach
    void close() {
        sources.forEach(this::close);
    }

    /** fabric8's mock server stalls when a watch closes while it is still being opened: let them settle first. */
    private void close(ClusterSource source) {
        Routes.awaitValue(source::watching, true);
        source.close();
    }

    @Test
    void status_isWrittenOnOurIngresses_neverOnAForeignOne_andRemovedWhenOneStopsBeingOurs() {
        create(ingress("ours", "usher"), ingress("foreign", "nginx"));
        start("replica-a", new StatusOptions(null, List.of("203.0.113.7"), "default", "usher-leader", "replica-a"));
        assertThat(awaitStatus("ours", List.of("203.0.113.7"))).containsExactly("203.0.113.7");
        assertThat(status("foreign")).isEmpty();

        client.resource(new IngressBuilder(client.network().v1().ingresses().inNamespace("default").withName("ours")
                .get()).editSpec().withIngressClassName("nginx").endSpec().build()).update();
        assertThat(awaitStatus("ours", List.of())).isEmpty();
        assertThat(status("foreign")).isEmpty();
    }

    @Test
    void status_takesThePublishServiceLoadBalancerAddresses() {
        create(new ServiceBuilder().withNewMetadata().withName("usher").withNamespace("usher-system").endMetadata()
                .withNewSpec().withType("LoadBalancer").addNewPort().withPort(80).endPort().endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withHostname("lb.example.net").endIngress()
                .endLoadBalancer().endStatus().build(), ingress("ours", "usher"));
        start("replica-a", new StatusOptions("usher-system/usher", List.of("203.0.113.7"), "default", "usher-leader",
                "replica-a"));
        assertThat(awaitStatus("ours", List.of("lb.example.net"))).containsExactly("lb.example.net");
    }

    @Test
    void status_isWrittenByTheLeaderOnly_andTheNextLeaderTakesOver() {
        create(ingress("first", "usher"));
        ClusterSource a = start("replica-a",
                new StatusOptions(null, List.of("203.0.113.7"), "default", "usher-leader", "replica-a"));
        ClusterSource b = start("replica-b",
                new StatusOptions(null, List.of("203.0.113.7"), "default", "usher-leader", "replica-b"));
        assertThat(Routes.awaitValue(() -> a.leading() ^ b.leading(), true)).isTrue();
        assertThat(awaitStatus("first", List.of("203.0.113.7"))).containsExactly("203.0.113.7");
        ClusterSource leader = a.leading() ? a : b;
        ClusterSource follower = leader == a ? b : a;

        close(leader);
        sources.remove(leader);
        assertThat(Routes.awaitValue(follower::leading, true)).isTrue();
        create(ingress("second", "usher"));
        assertThat(awaitStatus("second", List.of("203.0.113.7"))).containsExactly("203.0.113.7");
    }

    private ClusterSource start(String name, StatusOptions options) {
        SnapshotPublisher publisher = new SnapshotPublisher(new RoutingTable(), null);
        ClusterSource source = ClusterSource.start(client, null, WatcherSettings.defaults(), publisher, options,
                LEASE, RENEW, RETRY);
        sources.add(source);
        return source;
    }

    private List<String> awaitStatus(String ingress, List<String> expected) {
        return Routes.awaitValue(() -> status(ingress), expected);
    }

    private List<String> status(String name) {
        Ingress ingress = client.network().v1().ingresses().inNamespace("default").withName(name).get();
        if (ingress == null || ingress.getStatus() == null || ingress.getStatus().getLoadBalancer() == null
                || ingress.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return ingress.getStatus().getLoadBalancer().getIngress().stream()
                .map((IngressLoadBalancerIngress lb) -> lb.getIp() != null ? lb.getIp() : lb.getHostname()).toList();
    }

    private void create(HasMetadata... objects) {
        for (HasMetadata object : objects) {
            client.resource(object).create();
        }
    }

    private static Ingress ingress(String name, String className) {
        return new IngressBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withIngressClassName(className).withNewDefaultBackend().withNewService()
                .withName("alpaca").withNewPort().withNumber(8080).endPort().endService().endDefaultBackend()
                .endSpec().build();
    }
}
