package dev.usher.k8s.translate;

import dev.usher.k8s.translate.IngressConverter.Converted;
import dev.usher.routing.HostRule;
import dev.usher.routing.ObjectRef;
import dev.usher.tls.CipherLists;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's {@code ssl-ciphers} and {@code ssl-prefer-server-ciphers}: the TLS 1.2 cipher suites the handshakes
 * of the Ingress's hosts offer (nginx's {@code ssl_ciphers} in their server block). As in ingress-nginx the oldest
 * Ingress that sets it for a host sets it for the host (a younger one's different list is reported); a canary's is
 * ignored. The string is evaluated by {@link CipherLists}: unknown words left out, weak suites refused, TLS 1.3 suites
 * untouched, all reported by the annotation audit ({@link #problem}).
 */
final class NginxSslCiphers {

    static final String CIPHERS = "ssl-ciphers";
    static final String PREFER_SERVER = "ssl-prefer-server-ciphers";

    private NginxSslCiphers() {}

    /** The cipher list of every host (exact or {@code *.domain}) whose oldest setting Ingress has a usable one. */
    static Map<String, List<String>> byHost(List<Converted> oldestFirst, KubeObjects objects, Problems problems) {
        Map<ObjectRef, String> values = new HashMap<>();
        for (Ingress ingress : objects.ingresses()) {
            Map<String, String> a = ingress.getMetadata().getAnnotations();
            String value = a == null ? null : a.get(Annotations.NGINX + CIPHERS);
            if (value != null) {
                values.put(KubeObjects.ref(ingress), value);
            }
        }
        if (values.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> byHost = new LinkedHashMap<>();
        Map<String, String> owner = new HashMap<>();
        for (Converted c : oldestFirst) {
            String value = values.get(c.ruleSet().ref());
            if (value == null || c.ruleSet().options().canary() != null) {
                continue;
            }
            List<String> suites = CipherLists.parse(value).suites(); // its problems: the annotation audit's
            if (suites.isEmpty()) {
                continue;
            }
            String source = "Ingress " + c.ruleSet().id();
            for (HostRule rule : c.ruleSet().rules()) {
                String host = rule.host();
                if (host == null) {
                    continue;
                }
                List<String> first = byHost.putIfAbsent(host, suites);
                if (first == null) {
                    owner.put(host, source);
                } else if (!first.equals(suites) && !owner.get(host).equals(source)) {
                    problems.add(
                            source,
                            "host " + host + " takes its ssl-ciphers from older " + owner.get(host)
                                    + " (per host, as in ingress-nginx); this Ingress's list does not apply to it");
                }
            }
        }
        return byHost;
    }

    /** What is wrong with {@code value} of {@code ssl-ciphers} or {@code ssl-prefer-server-ciphers}, or null. */
    static @Nullable String problem(String name, String value) {
        return switch (name) {
            case CIPHERS -> {
                CipherLists.Parsed parsed = CipherLists.parse(value);
                String problem = parsed.problem();
                yield problem == null || parsed.suites().isEmpty() ? problem : problem + "; the rest applies";
            }
            case PREFER_SERVER ->
                "true".equalsIgnoreCase(value)
                        ? null
                        : "false".equalsIgnoreCase(value)
                                ? "Usher always prefers the server's order (nginx's \"on\"); the client's is not"
                                        + " implemented"
                                : "expected \"true\" or \"false\"";
            default -> throw new IllegalArgumentException(name);
        };
    }
}
