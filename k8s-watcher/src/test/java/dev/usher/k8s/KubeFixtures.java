package dev.usher.k8s;

import dev.usher.k8s.translate.WatcherSettings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

/** Kubernetes objects for the cluster-mode tests: our IngressClass, and Ingress → Service → EndpointSlice chains. */
public final class KubeFixtures {

    private KubeFixtures() {}

    /** Creates (or, if a timed-out POST already succeeded, updates) each object. */
    static void create(KubernetesClient client, HasMetadata... objects) {
        for (HasMetadata object : objects) {
            client.resource(object).createOr(NonDeletingOperation::update);
        }
    }

    public static IngressClass ourClass() {
        return new IngressClassBuilder()
                .withNewMetadata()
                .withName("usher")
                .endMetadata()
                .withNewSpec()
                .withController(WatcherSettings.DEFAULT_CONTROLLER_NAME)
                .endSpec()
                .build();
    }

    /** An Ingress of class {@code usher} sending every path of {@code host} to {@code service} port 8080. */
    public static Ingress ingress(String namespace, String name, String host, String service) {
        return new IngressBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withIngressClassName("usher")
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

    /** A Service with port 8080 named {@code http}. */
    static Service service(String namespace, String name) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("http")
                .withPort(8080)
                .withTargetPort(new IntOrString(9376))
                .endPort()
                .endSpec()
                .build();
    }

    /** An EndpointSlice of {@code service} with one ready endpoint {@code address}:9376. */
    static EndpointSlice slice(String namespace, String service, String address) {
        return new EndpointSliceBuilder()
                .withNewMetadata()
                .withName(service + "-1")
                .withNamespace(namespace)
                .addToLabels(ClusterCache.SERVICE_NAME_LABEL, service)
                .endMetadata()
                .withAddressType("IPv4")
                .addNewPort()
                .withName("http")
                .withPort(9376)
                .withProtocol("TCP")
                .endPort()
                .addNewEndpoint()
                .withAddresses(address)
                .withNewConditions()
                .withReady(true)
                .endConditions()
                .endEndpoint()
                .build();
    }
}
