package dev.usher.k8s.translate;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressRuleValueBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackendBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpecBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Converts the book's legacy Ingress forms ({@code extensions/v1beta1}, {@code networking.k8s.io/v1beta1}) into
 * {@code networking.k8s.io/v1} copies.
 *
 * <p>Both legacy versions are read as a JSON tree, so one code path covers the two model classes: {@code spec.backend}
 * becomes {@code spec.defaultBackend}, {@code serviceName}/{@code servicePort} become {@code service.name}/{@code
 * service.port}, and a path without {@code pathType} counts as {@code ImplementationSpecific}, which is what those
 * versions meant (a plain string prefix in Usher).
 */
final class LegacyIngressConverter {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private LegacyIngressConverter() {}

    static boolean isLegacyIngress(HasMetadata object) {
        return "Ingress".equals(object.getKind())
                && ("extensions/v1beta1".equals(object.getApiVersion())
                        || "networking.k8s.io/v1beta1".equals(object.getApiVersion()));
    }

    /** The v1 form of a legacy Ingress; throws {@link IllegalArgumentException} naming the first bad field. */
    static Ingress toV1(HasMetadata legacy) {
        Map<?, ?> tree = SERIALIZATION.convertValue(legacy, Map.class);
        Map<?, ?> spec = map(tree.get("spec"));
        IngressSpecBuilder out = new IngressSpecBuilder();
        if (spec.get("ingressClassName") instanceof String className) {
            out.withIngressClassName(className);
        }
        if (spec.get("backend") != null) {
            out.withDefaultBackend(backend(map(spec.get("backend")), "spec.backend"));
        }
        List<IngressRule> rules = new ArrayList<>();
        List<?> legacyRules = list(spec.get("rules"));
        for (int r = 0; r < legacyRules.size(); r++) {
            rules.add(rule(map(legacyRules.get(r)), "spec.rules[" + r + "]"));
        }
        out.withRules(rules);
        List<IngressTLS> tls = new ArrayList<>();
        for (Object entry : list(spec.get("tls"))) {
            Map<?, ?> t = map(entry);
            List<String> hosts = new ArrayList<>();
            list(t.get("hosts")).forEach(h -> hosts.add(String.valueOf(h)));
            tls.add(new IngressTLSBuilder()
                    .withHosts(hosts)
                    .withSecretName(t.get("secretName") == null ? null : String.valueOf(t.get("secretName")))
                    .build());
        }
        out.withTls(tls);
        return new IngressBuilder()
                .withMetadata(SERIALIZATION.clone(legacy.getMetadata()))
                .withSpec(out.build())
                .build();
    }

    private static IngressRule rule(Map<?, ?> rule, String where) {
        IngressRuleBuilder out = new IngressRuleBuilder();
        if (rule.get("host") != null) {
            out.withHost(String.valueOf(rule.get("host")));
        }
        if (rule.get("http") != null) {
            List<HTTPIngressPath> paths = new ArrayList<>();
            List<?> legacyPaths = list(map(rule.get("http")).get("paths"));
            for (int p = 0; p < legacyPaths.size(); p++) {
                Map<?, ?> path = map(legacyPaths.get(p));
                String at = where + ".http.paths[" + p + "]";
                Object type = path.get("pathType");
                paths.add(new HTTPIngressPathBuilder()
                        .withPath(path.get("path") == null ? null : String.valueOf(path.get("path")))
                        .withPathType(type == null ? "ImplementationSpecific" : String.valueOf(type))
                        .withBackend(backend(map(path.get("backend")), at + ".backend"))
                        .build());
            }
            out.withHttp(new HTTPIngressRuleValueBuilder().withPaths(paths).build());
        }
        return out.build();
    }

    private static IngressBackend backend(Map<?, ?> backend, String where) {
        Object service = backend.get("serviceName");
        Object port = backend.get("servicePort");
        if (service == null) {
            throw new IllegalArgumentException(where + ": serviceName is required");
        }
        if (port == null) {
            throw new IllegalArgumentException(where + ": servicePort is required");
        }
        IngressBackendBuilder out = new IngressBackendBuilder();
        String text = String.valueOf(port);
        if (port instanceof Number number) {
            out.withNewService()
                    .withName(String.valueOf(service))
                    .withNewPort()
                    .withNumber(number.intValue())
                    .endPort()
                    .endService();
        } else if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
            out.withNewService()
                    .withName(String.valueOf(service))
                    .withNewPort()
                    .withNumber(Integer.parseInt(text))
                    .endPort()
                    .endService();
        } else {
            out.withNewService()
                    .withName(String.valueOf(service))
                    .withNewPort()
                    .withName(text)
                    .endPort()
                    .endService();
        }
        return out.build();
    }

    private static Map<?, ?> map(Object value) {
        if (value == null) {
            return Map.of();
        }
        if (value instanceof Map<?, ?> m) {
            return m;
        }
        throw new IllegalArgumentException("expected an object, got " + value);
    }

    private static List<?> list(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> l) {
            return l;
        }
        throw new IllegalArgumentException("expected a list, got " + value);
    }
}
