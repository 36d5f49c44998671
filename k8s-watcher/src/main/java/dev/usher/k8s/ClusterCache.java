package dev.usher.k8s;

import dev.usher.k8s.translate.KubeObjects;
import dev.usher.k8s.translate.NginxBasicAuth;
import dev.usher.k8s.translate.Translator;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.BackendRef;
import dev.usher.routing.ObjectRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster thread's own copy of the objects it was told about, and what each change means for routing.
 *
 * <p>Only the {@code usher-cluster} thread touches it, so it needs no locks. Objects are informer-cache instances:
 * they are stored and read, never modified. An update whose {@code resourceVersion} equals the stored one (a resync)
 * changes nothing. A Service or Secret matters only when an Ingress refers to it, and an EndpointSlice only when its
 * Service is a backend; such slices update endpoints without a route rebuild.
 */
final class ClusterCache {

    /** What an applied change requires. */
    enum Effect {
        NONE,
        ENDPOINTS,
        STATUS,
        REBUILD
    }

    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final Map<Class<?>, Map<String, HasMetadata>> byKind = new HashMap<>();
    private Set<ObjectRef> backendServices = new HashSet<>();
    private Set<ObjectRef> tlsSecrets = new HashSet<>();
    /** The ConfigMaps our Ingresses read ({@link #configMapsNamed}): the only ones kept. */
    private Set<ObjectRef> configMaps = Set.of();
    /** The {@code --default-ssl-certificate} Secret ({@code namespace/name}), or null. */
    private final ObjectRef defaultSecret;

    ClusterCache() {
        this(null);
    }

    ClusterCache(String defaultSecret) {
        this.defaultSecret = defaultSecret == null ? null : ObjectRef.parse(defaultSecret);
    }

    /** Stores or removes {@code object}; returns what routing must do about it. */
    Effect apply(HasMetadata object, boolean deleted) {
        if (object instanceof ConfigMap && !configMaps.contains(KubeObjects.ref(object))) {
            return Effect.NONE; // a late event of an informer stopped since: no Ingress of ours names it any more
        }
        Map<String, HasMetadata> objects = byKind.computeIfAbsent(object.getClass(), k -> new HashMap<>());
        String key = KubeObjects.key(object);
        HasMetadata previous;
        if (deleted) {
            previous = objects.remove(key);
            if (previous == null) {
                return Effect.NONE;
            }
        } else {
            previous = objects.put(key, object);
            if (previous != null && sameVersion(previous, object)) {
                return Effect.NONE;
            }
        }
        if (object instanceof EndpointSlice) {
            boolean relevant = backendServices.contains(sliceService(object))
                    || previous != null && backendServices.contains(sliceService(previous));
            return relevant ? Effect.ENDPOINTS : Effect.NONE;
        }
        if (object instanceof Service) {
            return backendServices.contains(KubeObjects.ref(object)) ? Effect.REBUILD : Effect.NONE;
        }
        if (object instanceof Secret) {
            ObjectRef secret = KubeObjects.ref(object);
            return tlsSecrets.contains(secret) || secret.equals(defaultSecret) ? Effect.REBUILD : Effect.NONE;
        }
        if (object instanceof ConfigMap) {
            return Effect.REBUILD;
        }
        if (object instanceof Ingress ingress
                && previous instanceof Ingress before
                && !deleted
                && Objects.equals(before.getSpec(), ingress.getSpec())
                && Objects.equals(
                        before.getMetadata().getAnnotations(),
                        ingress.getMetadata().getAnnotations())) {
            // Only status (or bookkeeping) changed, often by our own status writer: nothing to route anew.
            return Effect.STATUS;
        }
        return Effect.REBUILD;
    }

    /** Every Ingress, ours or not, in no particular order. */
    List<Ingress> ingresses() {
        List<Ingress> out = new ArrayList<>();
        byKind.getOrDefault(Ingress.class, Map.of()).values().forEach(o -> out.add((Ingress) o));
        return out;
    }

    /** Replaces the objects of {@code kind} with {@code objects} (the informer's store at sync). */
    void seed(Class<?> kind, Collection<? extends HasMetadata> objects) {
        Map<String, HasMetadata> map = byKind.computeIfAbsent(kind, k -> new HashMap<>());
        map.clear();
        objects.forEach(o -> map.put(KubeObjects.key(o), o));
    }

    /**
     * The ConfigMaps the Ingresses of ours name in {@code custom-headers} or, with {@code auth-url},
     * {@code auth-proxy-set-headers} (own namespace only: {@link Translator#configMaps}), which become the only
     * ConfigMaps this cache keeps.
     */
    Set<ObjectRef> configMapsNamed(WatcherSettings settings) {
        KubeObjects.Builder named = KubeObjects.builder();
        byKind.getOrDefault(IngressClass.class, Map.of()).values().forEach(named::add);
        for (HasMetadata ingress : byKind.getOrDefault(Ingress.class, Map.of()).values()) {
            if (!Translator.configMapsNamed(
                            KubeObjects.namespace(ingress),
                            ingress.getMetadata().getAnnotations())
                    .isEmpty()) {
                named.add(ingress);
            }
        }
        configMaps = Set.copyOf(Translator.configMaps(named.build(), settings));
        return configMaps;
    }

    /** Drops the ConfigMaps no longer watched. */
    void forgetConfigMaps(Set<ObjectRef> dropped) {
        Map<String, HasMetadata> stored = byKind.get(ConfigMap.class);
        if (stored != null) {
            dropped.forEach(ref -> stored.remove(ref.toString()));
        }
    }

    /** Takes what newly listed informers hold: the ConfigMap, or its absence. */
    void takeConfigMaps(Map<ObjectRef, Optional<ConfigMap>> listed) {
        Map<String, HasMetadata> stored = byKind.computeIfAbsent(ConfigMap.class, k -> new HashMap<>());
        listed.forEach((ref, configMap) -> {
            stored.remove(ref.toString());
            configMap.ifPresent(c -> stored.put(KubeObjects.key(c), c));
        });
    }

    /** Remembers which Services and Secrets routing depends on, after a rebuild. */
    void dependsOn(Collection<BackendRef> backends) {
        Set<ObjectRef> services = new HashSet<>();
        backends.forEach(ref -> services.add(ref.serviceRef()));
        Set<ObjectRef> secrets = new HashSet<>();
        for (HasMetadata object : byKind.getOrDefault(Ingress.class, Map.of()).values()) {
            Ingress ingress = (Ingress) object;
            String auth = NginxBasicAuth.secretKey(
                    KubeObjects.namespace(ingress), ingress.getMetadata().getAnnotations());
            if (auth != null) {
                secrets.add(ObjectRef.parse(auth)); // the htpasswd Secret of ingress-nginx's auth-type basic
            }
            Translator.caSecrets(ingress).forEach(ca -> secrets.add(ObjectRef.parse(ca)));
            String clientCa = Translator.clientCaSecret(ingress); // ca.crt of ingress-nginx's auth-tls-secret
            if (clientCa != null
                    && clientCa.indexOf('/') > 0
                    && !clientCa.endsWith("/")
                    && clientCa.indexOf('/') == clientCa.lastIndexOf('/')) {
                secrets.add(ObjectRef.parse(clientCa));
            }
            if (ingress.getSpec() != null && ingress.getSpec().getTls() != null) {
                for (IngressTLS tls : ingress.getSpec().getTls()) {
                    if (tls.getSecretName() != null) {
                        secrets.add(new ObjectRef(KubeObjects.namespace(ingress), tls.getSecretName()));
                    }
                }
            }
        }
        this.backendServices = services;
        this.tlsSecrets = secrets;
    }

    /** The Service of an EndpointSlice, from its {@code kubernetes.io/service-name} label; null without one. */
    static ObjectRef sliceService(HasMetadata slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        return service == null ? null : new ObjectRef(KubeObjects.namespace(slice), service);
    }

    /** Only what endpoint resolution of {@code services} ({@code namespace/name}) reads: an EndpointSlice-only
     * change then costs in proportion to those Services, not to the whole cluster. */
    KubeObjects endpointObjects(Set<ObjectRef> services) {
        KubeObjects.Builder builder = KubeObjects.builder();
        byKind.getOrDefault(Service.class, Map.of()).values().forEach(service -> {
            if (services.contains(KubeObjects.ref(service))) {
                builder.add(service);
            }
        });
        byKind.getOrDefault(EndpointSlice.class, Map.of()).values().forEach(slice -> {
            ObjectRef service = sliceService(slice);
            if (service != null && services.contains(service)) {
                builder.add(slice);
            }
        });
        return builder.build();
    }

    KubeObjects objects() {
        KubeObjects.Builder builder = KubeObjects.builder();
        byKind.values().forEach(map -> map.values().forEach(builder::add));
        return builder.build();
    }

    private static boolean sameVersion(HasMetadata a, HasMetadata b) {
        String va = a.getMetadata().getResourceVersion();
        return va != null && Objects.equals(va, b.getMetadata().getResourceVersion());
    }
}
