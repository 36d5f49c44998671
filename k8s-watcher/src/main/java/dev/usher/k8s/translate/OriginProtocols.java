package dev.usher.k8s.translate;

import dev.usher.k8s.translate.IngressConverter.Converted;
import dev.usher.routing.BackendProtocol;
import dev.usher.routing.BackendRef;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.Upstream;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How an Ingress's backends are reached: the backend protocol and TLS to the origin, per backend, into
 * {@link dev.usher.routing.RouteOptions#upstreams()}.
 *
 * <p>Protocol precedence, first match wins: {@code usher.dev/backend-protocol}, then ingress-nginx's
 * {@code backend-protocol}, then the Service port's {@code appProtocol}, else HTTP/1.1 in cleartext. The annotations
 * apply to every backend of the Ingress (as in ingress-nginx); {@code appProtocol} is per Service port. A bad value is
 * reported and the next source decides. TLS: see {@link OriginTlsOptions}.
 */
final class OriginProtocols {

    static final String BACKEND_PROTOCOL = "usher.dev/backend-protocol";
    static final String NGINX_BACKEND_PROTOCOL = Annotations.NGINX + "backend-protocol";

    private final KubeObjects objects;
    private final OriginTlsOptions tls;

    OriginProtocols(KubeObjects objects) {
        this.objects = objects;
        this.tls = new OriginTlsOptions(objects);
    }

    /** {@code converted} with the upstream of each of its backends in its options. */
    Converted apply(Ingress ingress, Converted converted, Problems problems) {
        Map<String, String> a = ingress.getMetadata().getAnnotations() == null
                ? Map.of()
                : ingress.getMetadata().getAnnotations();
        IngressRuleSet set = converted.ruleSet();
        String source = "Ingress " + set.id();
        BackendProtocol annotated = annotated(a, source, problems);
        Map<BackendRef, Upstream> upstreams = new LinkedHashMap<>();
        for (BackendRef ref : new LinkedHashSet<>(Translator.backends(set))) {
            Service service = objects.service(ref.namespace(), ref.service());
            BackendProtocol protocol = annotated != null ? annotated : appProtocol(service, ref);
            Upstream upstream = protocol.tls()
                    ? tls.upstream(protocol, a, ref, service, source, problems)
                    : Upstream.of(protocol, null);
            if (upstream != Upstream.HTTP) {
                upstreams.put(ref, upstream);
            }
        }
        if (upstreams.isEmpty()) {
            return converted;
        }
        IngressRuleSet withUpstreams = new IngressRuleSet(
                set.namespace(),
                set.name(),
                set.creationTimestamp(),
                set.rules(),
                set.defaultBackend(),
                set.options().toBuilder().upstreams(upstreams).build());
        return new Converted(withUpstreams, converted.tls());
    }

    /** The protocol the Ingress's annotations ask for, or {@code null} when they ask for none (or only bad ones). */
    static BackendProtocol annotated(Map<String, String> a, String source, Problems problems) {
        String usher = a.get(BACKEND_PROTOCOL);
        if (usher != null) {
            BackendProtocol protocol = usher(usher);
            if (protocol != null) {
                return protocol;
            }
            problems.add(
                    source,
                    BACKEND_PROTOCOL + ": expected http, https, h2c, h2, grpc or grpcs, got " + Problems.quote(usher)
                            + "; ignored");
        }
        String nginx = a.get(NGINX_BACKEND_PROTOCOL);
        if (nginx == null) {
            return null;
        }
        // Bad and unsupported values are reported by the annotation audit (Annotations), not twice here.
        return switch (nginx.trim().toUpperCase(Locale.ROOT)) {
            case "HTTP", "AUTO_HTTP", "FCGI" -> BackendProtocol.HTTP;
            case "HTTPS" -> BackendProtocol.HTTPS;
            case "GRPC" -> BackendProtocol.H2C;
            case "GRPCS" -> BackendProtocol.H2;
            default -> null;
        };
    }

    /** {@code usher.dev/backend-protocol}'s value, or {@code null} when it is not one. */
    static BackendProtocol usher(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "http" -> BackendProtocol.HTTP;
            case "https" -> BackendProtocol.HTTPS;
            case "h2c", "grpc" -> BackendProtocol.H2C;
            case "h2", "grpcs" -> BackendProtocol.H2;
            default -> null;
        };
    }

    /**
     * The Service port's {@code appProtocol}: {@code kubernetes.io/h2c} and {@code grpc} mean h2c, {@code https}
     * and {@code kubernetes.io/wss} (WebSocket over TLS) mean HTTP/1.1 over TLS; anything else (none, {@code http},
     * {@code kubernetes.io/ws}, a protocol Usher does not speak) means HTTP/1.1 in cleartext.
     */
    static BackendProtocol appProtocol(Service service, BackendRef ref) {
        ServicePort port = service == null ? null : BackendResolver.servicePort(service, ref);
        String app = port == null || port.getAppProtocol() == null
                ? ""
                : port.getAppProtocol().trim().toLowerCase(Locale.ROOT);
        return switch (app) {
            case "kubernetes.io/h2c", "h2c", "grpc" -> BackendProtocol.H2C;
            case "https", "kubernetes.io/wss" -> BackendProtocol.HTTPS;
            default -> BackendProtocol.HTTP;
        };
    }

    /** {@code namespace/name} of the CA Secrets {@code ingress} names, for the cluster cache's dependencies. */
    static Set<String> caSecrets(Ingress ingress) {
        return OriginTlsOptions.caSecrets(ingress);
    }
}
