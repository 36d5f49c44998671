package dev.usher.k8s.translate;

import dev.usher.routing.ObjectRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The input of one translation: the Kubernetes objects Usher reads, by kind, in {@code namespace/name} order.
 *
 * <p>Objects are never modified (they may belong to an informer cache); legacy Ingress forms are converted to
 * {@code networking.k8s.io/v1} copies when added. A missing namespace counts as {@code default}.
 */
public final class KubeObjects {

    private final Map<ObjectRef, Ingress> ingresses;
    private final Map<String, IngressClass> ingressClasses;
    private final Map<ObjectRef, Service> services;
    private final Map<ObjectRef, Endpoints> endpoints;
    private final Map<ObjectRef, EndpointSlice> endpointSlices;
    private final Map<ObjectRef, Secret> secrets;
    private final Map<ObjectRef, ConfigMap> configMaps;

    private KubeObjects(Builder b) {
        this.ingresses = Collections.unmodifiableMap(new TreeMap<>(b.ingresses));
        this.ingressClasses = Collections.unmodifiableMap(new TreeMap<>(b.ingressClasses));
        this.services = Collections.unmodifiableMap(new TreeMap<>(b.services));
        this.endpoints = Collections.unmodifiableMap(new TreeMap<>(b.endpoints));
        this.endpointSlices = Collections.unmodifiableMap(new TreeMap<>(b.endpointSlices));
        this.secrets = Collections.unmodifiableMap(new TreeMap<>(b.secrets));
        this.configMaps = Collections.unmodifiableMap(new TreeMap<>(b.configMaps));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code true} for the kinds (and legacy Ingress versions) that the translation reads. */
    public static boolean isSupported(HasMetadata object) {
        return object instanceof Ingress
                || object instanceof IngressClass
                || object instanceof Service
                || object instanceof Endpoints
                || object instanceof EndpointSlice
                || object instanceof Secret
                || object instanceof ConfigMap
                || LegacyIngressConverter.isLegacyIngress(object);
    }

    /** The object's namespace, {@code default} when it has none. */
    public static String namespace(HasMetadata object) {
        String ns = object.getMetadata() == null ? null : object.getMetadata().getNamespace();
        return ns == null || ns.isEmpty() ? "default" : ns;
    }

    /** {@code namespace/name}; cluster-scoped kinds (IngressClass) are keyed by name alone. */
    public static String key(HasMetadata object) {
        String name = Objects.requireNonNull(object.getMetadata(), "metadata").getName();
        return object instanceof IngressClass ? name : ref(object).toString();
    }

    /** The namespaced object's {@code namespace/name} (a missing namespace counts as {@code default}). */
    public static ObjectRef ref(HasMetadata object) {
        return new ObjectRef(
                namespace(object),
                Objects.requireNonNull(object.getMetadata(), "metadata").getName());
    }

    Collection<Ingress> ingresses() {
        return ingresses.values();
    }

    Collection<IngressClass> ingressClasses() {
        return ingressClasses.values();
    }

    IngressClass ingressClass(String name) {
        return ingressClasses.get(name);
    }

    Service service(String namespace, String name) {
        return services.get(new ObjectRef(namespace, name));
    }

    Endpoints endpoints(String namespace, String name) {
        return endpoints.get(new ObjectRef(namespace, name));
    }

    Collection<EndpointSlice> endpointSlices() {
        return endpointSlices.values();
    }

    Secret secret(String namespace, String name) {
        return secrets.get(new ObjectRef(namespace, name));
    }

    /** A ConfigMap ({@code custom-headers}, {@code auth-proxy-set-headers}), or {@code null}. */
    ConfigMap configMap(String namespace, String name) {
        return configMaps.get(new ObjectRef(namespace, name));
    }

    /** Collects objects; a later object with the same kind and key replaces the earlier one. */
    public static final class Builder {
        private final Map<ObjectRef, Ingress> ingresses = new TreeMap<>();
        private final Map<String, IngressClass> ingressClasses = new TreeMap<>();
        private final Map<ObjectRef, Service> services = new TreeMap<>();
        private final Map<ObjectRef, Endpoints> endpoints = new TreeMap<>();
        private final Map<ObjectRef, EndpointSlice> endpointSlices = new TreeMap<>();
        private final Map<ObjectRef, Secret> secrets = new TreeMap<>();
        private final Map<ObjectRef, ConfigMap> configMaps = new TreeMap<>();

        private Builder() {}

        /**
         * Adds {@code object} if its kind is supported; legacy Ingresses become v1 copies.
         *
         * @return whether the object was taken
         * @throws IllegalArgumentException if a legacy Ingress cannot be converted (the message says why)
         */
        public boolean add(HasMetadata object) {
            Objects.requireNonNull(object, "object");
            if (object.getMetadata() == null || object.getMetadata().getName() == null) {
                throw new IllegalArgumentException(object.getKind() + " without metadata.name");
            }
            ObjectRef key = ref(object);
            if (object instanceof Ingress ingress) {
                ingresses.put(key, ingress);
            } else if (LegacyIngressConverter.isLegacyIngress(object)) {
                ingresses.put(key, LegacyIngressConverter.toV1(object));
            } else if (object instanceof IngressClass ingressClass) {
                ingressClasses.put(object.getMetadata().getName(), ingressClass); // cluster-scoped: by name
            } else if (object instanceof Service service) {
                services.put(key, service);
            } else if (object instanceof Endpoints eps) {
                endpoints.put(key, eps);
            } else if (object instanceof EndpointSlice slice) {
                endpointSlices.put(key, slice);
            } else if (object instanceof Secret secret) {
                secrets.put(key, secret);
            } else if (object instanceof ConfigMap configMap) {
                configMaps.put(key, configMap);
            } else {
                return false;
            }
            return true;
        }

        /** Adds every object; see {@link #add(HasMetadata)}. */
        public Builder addAll(Collection<? extends HasMetadata> objects) {
            objects.forEach(this::add);
            return this;
        }

        public KubeObjects build() {
            return new KubeObjects(this);
        }
    }
}
