package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.ClusterCache.Effect;
import dev.usher.k8s.translate.Translation;
import dev.usher.k8s.translate.Translator;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.ObjectRef;
import dev.usher.routing.PortRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What each informer notification means for routing, decided on the cluster thread. */
final class ClusterCacheTest {

    private final ClusterCache cache = new ClusterCache();

    @Test
    void update_withTheSameResourceVersion_isANoOpResync() {
        assertThat(cache.apply(ingress("a", "1"), false)).isEqualTo(Effect.REBUILD);
        assertThat(cache.apply(ingress("a", "1"), false)).isEqualTo(Effect.NONE);
        assertThat(cache.apply(service("alpaca", "1"), false)).isEqualTo(Effect.NONE);
        assertThat(cache.apply(service("alpaca", "1"), false)).isEqualTo(Effect.NONE);
    }

    @Test
    void ingressUpdate_ofSpecRebuilds_ofStatusOnlyJustRefreshesStatus() {
        cache.apply(ingress("a", "1"), false);
        Ingress statusOnly = new IngressBuilder(ingress("a", "2"))
                .withNewStatus()
                .withNewLoadBalancer()
                .addNewIngress()
                .withIp("203.0.113.7")
                .endIngress()
                .endLoadBalancer()
                .endStatus()
                .build();
        assertThat(cache.apply(statusOnly, false)).isEqualTo(Effect.STATUS);
        Ingress newSpec = new IngressBuilder(ingress("a", "3"))
                .editSpec()
                .withIngressClassName("usher")
                .endSpec()
                .build();
        assertThat(cache.apply(newSpec, false)).isEqualTo(Effect.REBUILD);
    }

    @Test
    void delete_ofAnUnknownObject_changesNothing_ofAKnownOne_rebuilds() {
        assertThat(cache.apply(ingress("a", "1"), true)).isEqualTo(Effect.NONE);
        cache.apply(ingress("a", "1"), false);
        assertThat(cache.apply(ingress("a", "1"), true)).isEqualTo(Effect.REBUILD);
    }

    @Test
    void service_rebuildsOnlyWhenABackend() {
        cache.dependsOn(List.of(BackendRef.parse("default/alpaca:8080")));
        assertThat(cache.apply(service("unrelated", "1"), false)).isEqualTo(Effect.NONE);
        assertThat(cache.apply(service("alpaca", "1"), false)).isEqualTo(Effect.REBUILD);
    }

    @Test
    void endpointSlice_ofABackendService_updatesEndpointsOnly_othersNothing() {
        cache.dependsOn(List.of(BackendRef.parse("default/alpaca:8080")));
        assertThat(cache.apply(slice("alpaca-x1", "alpaca", "1"), false)).isEqualTo(Effect.ENDPOINTS);
        assertThat(cache.apply(slice("other-x1", "other", "1"), false)).isEqualTo(Effect.NONE);
        assertThat(cache.apply(slice("alpaca-x1", "alpaca", "1"), true)).isEqualTo(Effect.ENDPOINTS);
    }

    @Test
    void secret_rebuildsOnlyWhenSomeIngressNamesIt() {
        cache.apply(
                new IngressBuilder(ingress("a", "1"))
                        .editSpec()
                        .addNewTl()
                        .withSecretName("a-cert")
                        .endTl()
                        .endSpec()
                        .build(),
                false);
        cache.dependsOn(List.of());
        assertThat(cache.apply(secret("a-cert"), false)).isEqualTo(Effect.REBUILD);
        assertThat(cache.apply(secret("b-cert"), false)).isEqualTo(Effect.NONE);
    }

    @Test
    void secret_namedByAnIngresssBasicAuth_rebuilds() {
        cache.apply(
                new IngressBuilder(ingress("a", "1"))
                        .editMetadata()
                        .addToAnnotations("nginx.ingress.kubernetes.io/auth-type", "basic")
                        .addToAnnotations("nginx.ingress.kubernetes.io/auth-secret", "htpasswd")
                        .endMetadata()
                        .build(),
                false);
        cache.dependsOn(List.of());
        assertThat(cache.apply(secret("htpasswd"), false)).isEqualTo(Effect.REBUILD);
        assertThat(cache.apply(secret("other"), false)).isEqualTo(Effect.NONE);
    }

    @Test
    void objects_holdWhatWasAppliedAndNotDeleted() {
        cache.apply(ingress("a", "1"), false);
        cache.apply(ingress("b", "1"), false);
        cache.apply(ingress("b", "1"), true);
        Translation t =
                Translator.translate(cache.objects(), WatcherSettings.defaults().withWatchIngressWithoutClass(true));
        assertThat(t.ruleSets()).extracting(IngressRuleSet::id).containsExactly("default/a");
    }

    @Test
    void endpointObjects_holdOnlyTheNamedServicesAndTheirSlices() {
        cache.apply(service("alpaca", "1"), false);
        cache.apply(service("other", "1"), false);
        cache.apply(
                new EndpointSliceBuilder((EndpointSlice) slice("alpaca-x1", "alpaca", "1"))
                        .withAddressType("IPv4")
                        .addNewPort()
                        .withPort(80)
                        .endPort()
                        .addNewEndpoint()
                        .withAddresses("10.0.0.1")
                        .endEndpoint()
                        .build(),
                false);
        cache.apply(slice("other-x1", "other", "1"), false);
        BackendRef alpaca = new BackendRef("default", "alpaca", PortRef.number(80));
        BackendRef other = new BackendRef("default", "other", PortRef.number(80));
        var endpoints = Translator.endpoints(
                cache.endpointObjects(Set.of(ObjectRef.parse("default/alpaca"))), List.of(alpaca, other));
        assertThat(endpoints.get(alpaca)).extracting(Endpoint::address).containsExactly("10.0.0.1");
        assertThat(endpoints.get(other)).isEmpty();
    }

    @Test
    void caSecretNamedByAnIngress_rebuilds_otherOpaqueSecretsDoNot() {
        cache.apply(
                new IngressBuilder(ingress("a", "1"))
                        .editMetadata()
                        .addToAnnotations("usher.dev/backend-ca-secret", "origin-ca")
                        .endMetadata()
                        .build(),
                false);
        cache.dependsOn(List.of());
        HasMetadata ca = new SecretBuilder()
                .withNewMetadata()
                .withName("origin-ca")
                .withNamespace("default")
                .withResourceVersion("1")
                .endMetadata()
                .withType("Opaque")
                .build();
        HasMetadata other = new SecretBuilder()
                .withNewMetadata()
                .withName("db-password")
                .withNamespace("default")
                .withResourceVersion("1")
                .endMetadata()
                .withType("Opaque")
                .build();
        assertThat(cache.apply(other, false)).isEqualTo(Effect.NONE);
        assertThat(cache.apply(ca, false)).isEqualTo(Effect.REBUILD);
        assertThat(cache.apply(ca, true)).isEqualTo(Effect.REBUILD);
    }

    private static Ingress ingress(String name, String version) {
        return new IngressBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("default")
                .withResourceVersion(version)
                .endMetadata()
                .withNewSpec()
                .endSpec()
                .build();
    }

    private static HasMetadata service(String name, String version) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("default")
                .withResourceVersion(version)
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build();
    }

    private static HasMetadata slice(String name, String service, String version) {
        return new EndpointSliceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("default")
                .withResourceVersion(version)
                .addToLabels("kubernetes.io/service-name", service)
                .endMetadata()
                .build();
    }

    private static HasMetadata secret(String name) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("default")
                .withResourceVersion("1")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .build();
    }
}
