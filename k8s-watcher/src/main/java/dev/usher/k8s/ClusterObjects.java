package dev.usher.k8s;

import dev.usher.k8s.translate.KubeObjects;
import dev.usher.k8s.translate.Translator;
import dev.usher.routing.ObjectRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The objects {@link ClusterSource} watches, listed once, for {@code usher check} against the cluster in the
 * kubeconfig: IngressClasses, Ingresses ({@code networking.k8s.io/v1}), Services, EndpointSlices and
 * {@code kubernetes.io/tls} and {@code Opaque} Secrets, in all namespaces or one, and each ConfigMap an Ingress names in
 * {@code custom-headers} or, with {@code auth-url}, {@code auth-proxy-set-headers} (fetched by name: as the cluster
 * source, never every ConfigMap).
 */
public final class ClusterObjects {

    private ClusterObjects() {}

    public static KubeObjects list(KubernetesClient client, String namespace) {
        Objects.requireNonNull(client, "client");
        KubeObjects.Builder builder = KubeObjects.builder();
        builder.addAll(client.network().v1().ingressClasses().list().getItems());
        List<Ingress> ingresses = items(client.network().v1().ingresses(), namespace);
        builder.addAll(ingresses);
        Set<ObjectRef> configMaps = new TreeSet<>();
        for (Ingress ingress : ingresses) {
            configMaps.addAll(Translator.configMapsNamed(
                    KubeObjects.namespace(ingress), ingress.getMetadata().getAnnotations()));
        }
        for (ObjectRef ref : configMaps) {
            ConfigMap configMap = client.configMaps()
                    .inNamespace(ref.namespace())
                    .withName(ref.name())
                    .get();
            if (configMap != null) {
                builder.add(configMap);
            }
        }
        builder.addAll(items(client.services(), namespace));
        builder.addAll(items(client.discovery().v1().endpointSlices(), namespace));
        // only TLS and Opaque Secrets, selected by the API server as the informer does; checked again here
        var secrets = namespace == null
                ? client.secrets().inAnyNamespace()
                : client.secrets().inNamespace(namespace);
        for (String type : List.of(ClusterSource.TLS_TYPE, ClusterSource.OPAQUE_TYPE)) {
            builder.addAll(secrets.withField("type", type).list().getItems().stream()
                    .filter(s -> type.equals(s.getType()))
                    .toList());
        }
        return builder.build();
    }

    private static <T extends HasMetadata, L extends KubernetesResourceList<T>> List<T> items(
            MixedOperation<T, L, ? extends Resource<T>> operation, String namespace) {
        return (namespace == null ? operation.inAnyNamespace() : operation.inNamespace(namespace))
                .list()
                .getItems();
    }
}
