package dev.usher.k8s.translate;

import dev.usher.routing.BackendProtocol;
import dev.usher.routing.BackendRef;
import dev.usher.routing.OriginTls;
import dev.usher.routing.Upstream;
import dev.usher.tls.CaCertificates;
import dev.usher.tls.CertificateProblem;
import dev.usher.tls.CipherLists;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * TLS to an origin, from an Ingress's annotations: whether the origin's certificate is verified, against which CAs,
 * and which name is sent (SNI) and checked.
 *
 * <ul>
 * <li>{@code usher.dev/backend-ca-secret: NAME}: verify against the {@code ca.crt} of Secret NAME in the Ingress's
 *     namespace. ingress-nginx's {@code proxy-ssl-verify: "on"} with {@code proxy-ssl-secret: NAMESPACE/NAME} does
 *     the same; {@code proxy-ssl-verify: "on"} without a Secret verifies against the JVM's public CAs.
 * <li>Nothing of that: the certificate is not verified (ingress-nginx's default {@code proxy-ssl-verify: off}).
 * <li>Name: {@code usher.dev/backend-server-name}, else {@code proxy-ssl-name}, else the Service's DNS name
 *     ({@code SERVICE.NAMESPACE.svc}, or an ExternalName Service's external name). It is sent as SNI when verifying
 *     or with {@code proxy-ssl-server-name: "on"}.
 * <li>Handshake: {@code proxy-ssl-protocols} ({@code TLSv1.2}, {@code TLSv1.3}), {@code proxy-ssl-ciphers} (an
 *     OpenSSL cipher string, evaluated by {@link CipherLists}) and, when verifying, {@code proxy-ssl-verify-depth}.
 * </ul>
 *
 * <p>Verification asked for but impossible (a CA Secret that is missing, in another namespace, without a readable
 * {@code ca.crt}) is reported and the backend {@link Upstream#refused refused}: its routes answer 503 rather than
 * connect unverified.
 */
final class OriginTlsOptions {

    static final String CA_SECRET = "usher.dev/backend-ca-secret";
    static final String SERVER_NAME = "usher.dev/backend-server-name";
    static final String NGINX_VERIFY = "proxy-ssl-verify";
    static final String NGINX_SECRET = Annotations.NGINX + "proxy-ssl-secret";
    static final String NGINX_NAME = Annotations.NGINX + "proxy-ssl-name";
    static final String NGINX_SNI = "proxy-ssl-server-name";
    static final String NGINX_PROTOCOLS = "proxy-ssl-protocols";
    static final String NGINX_CIPHERS = "proxy-ssl-ciphers";
    static final String NGINX_DEPTH = "proxy-ssl-verify-depth";

    /** A parsed CA bundle, or why there is none. */
    private record Trust(List<X509Certificate> certificates, String id, String problem) {}

    private final KubeObjects objects;
    private final Map<String, Trust> parsed = new HashMap<>();

    OriginTlsOptions(KubeObjects objects) {
        this.objects = objects;
    }

    Upstream upstream(
            BackendProtocol protocol,
            Map<String, String> a,
            BackendRef ref,
            Service service,
            String source,
            Problems problems) {
        String ns = ref.namespace();
        String secretName = caSecret(a, ns);
        boolean verify = secretName != null || Boolean.TRUE.equals(Annotations.nginxFlag(a, NGINX_VERIFY, "on", "off"));
        String name = serverName(a, ref, service, source, problems);
        boolean sni = verify || Boolean.TRUE.equals(Annotations.nginxFlag(a, NGINX_SNI, "on", "off"));
        if (!verify) {
            return Upstream.of(protocol, handshake(a, new OriginTls(false, List.of(), "none", sni ? name : null)));
        }
        if (secretName == null) {
            return Upstream.of(protocol, handshake(a, new OriginTls(true, List.of(), "default", name)));
        }
        if (secretName.isEmpty()) {
            String why = "CA Secret " + Problems.quote(rawSecret(a)) + " is outside the Ingress's namespace " + ns;
            problems.add(source, "backend " + ref + ": " + why + "; its routes answer 503");
            return Upstream.refused(protocol, why);
        }
        Trust trust = parsed.computeIfAbsent(ns + "/" + secretName, this::read);
        if (trust.problem() != null) {
            problems.add(
                    source,
                    "backend " + ref + ": " + trust.problem()
                            + "; its routes answer 503 rather than reach the origin unverified");
            return Upstream.refused(protocol, trust.problem());
        }
        return Upstream.of(protocol, handshake(a, new OriginTls(true, trust.certificates(), trust.id(), name)));
    }

    /**
     * {@code tls} with the Ingress's {@code proxy-ssl-protocols}, {@code proxy-ssl-ciphers} and (when verifying)
     * {@code proxy-ssl-verify-depth}; invalid parts are left out here and reported by the annotation audit
     * ({@link #problem}). ingress-nginx writes them only with a {@code proxy-ssl-secret}; Usher applies them to every
     * TLS origin of the Ingress, as it does {@code proxy-ssl-verify}.
     */
    private static OriginTls handshake(Map<String, String> a, OriginTls tls) {
        String protocols = a.get(Annotations.NGINX + NGINX_PROTOCOLS);
        String ciphers = a.get(Annotations.NGINX + NGINX_CIPHERS);
        String depth = a.get(Annotations.NGINX + NGINX_DEPTH);
        if (protocols == null && ciphers == null && depth == null) {
            return tls;
        }
        return tls.with(
                protocols == null ? List.of() : protocols(protocols),
                ciphers == null ? List.of() : CipherLists.parse(ciphers).suites(),
                depth == null || !tls.verify() ? 0 : Math.max(0, depth(depth)));
    }

    /**
     * The protocols of a {@code proxy-ssl-protocols} value, sorted as ingress-nginx sorts them; empty (the default,
     * both) when it names both or neither.
     */
    static List<String> protocols(String value) {
        Set<String> known = new java.util.TreeSet<>();
        for (String word : value.strip().split("\\s+")) {
            if (word.equalsIgnoreCase("TLSv1.2")) {
                known.add("TLSv1.2");
            } else if (word.equalsIgnoreCase("TLSv1.3")) {
                known.add("TLSv1.3");
            }
        }
        return known.size() == 1 ? List.copyOf(known) : List.of();
    }

    /** A {@code proxy-ssl-verify-depth}: 1 to 100, 0 meaning ingress-nginx's default 1; -1 when invalid. */
    private static int depth(String value) {
        String v = value.strip();
        if (v.isEmpty() || v.length() > 3 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        int depth = Integer.parseInt(v);
        return depth == 0 ? 1 : depth <= 100 ? depth : -1;
    }

    /** What is wrong with {@code value} of {@code proxy-ssl-protocols}, {@code -ciphers} or {@code -verify-depth}. */
    static @Nullable String problem(String name, String value) {
        return switch (name) {
            case NGINX_PROTOCOLS -> protocolsProblem(value);
            case NGINX_CIPHERS -> {
                CipherLists.Parsed parsed = CipherLists.parse(value);
                String problem = parsed.problem();
                yield problem == null || parsed.suites().isEmpty() ? problem : problem + "; the rest applies";
            }
            case NGINX_DEPTH -> depth(value) > 0 ? null : "expected a whole number from 0 (= 1) to 100";
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static @Nullable String protocolsProblem(String value) {
        List<String> others = new java.util.ArrayList<>();
        boolean any = false;
        for (String word : value.strip().split("\\s+")) {
            if (word.equalsIgnoreCase("TLSv1.2") || word.equalsIgnoreCase("TLSv1.3")) {
                any = true;
            } else if (!word.isEmpty() && others.size() < 5) { // the report names at most five, each quoted
                others.add(Problems.quote(word.length() > 20 ? word.substring(0, 20) + "..." : word));
            }
        }
        if (!any) {
            return "names neither TLSv1.2 nor TLSv1.3; the default (both) applies";
        }
        return others.isEmpty()
                ? null
                : "Usher speaks TLSv1.2 and TLSv1.3 only, left out: " + String.join(" ", others) + "; the rest applies";
    }

    /**
     * The CA Secret's name in {@code ns}; {@code ""} when it names another namespace; {@code null} when none is given
     * (ingress-nginx's {@code proxy-ssl-secret} counts only with {@code proxy-ssl-verify: "on"}).
     */
    static String caSecret(Map<String, String> a, String ns) {
        String usher = a.get(CA_SECRET);
        String raw = usher != null
                ? usher.trim()
                : Boolean.TRUE.equals(Annotations.nginxFlag(a, NGINX_VERIFY, "on", "off"))
                                && a.get(NGINX_SECRET) != null
                        ? a.get(NGINX_SECRET).trim()
                        : null;
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        int slash = raw.indexOf('/');
        if (slash < 0) {
            return raw;
        }
        return raw.substring(0, slash).equals(ns) && raw.indexOf('/', slash + 1) < 0 ? raw.substring(slash + 1) : "";
    }

    private static String rawSecret(Map<String, String> a) {
        return a.containsKey(CA_SECRET) ? a.get(CA_SECRET) : a.get(NGINX_SECRET);
    }

    private static String serverName(
            Map<String, String> a, BackendRef ref, Service service, String source, Problems problems) {
        for (String key : new String[] {SERVER_NAME, NGINX_NAME}) {
            String value = a.get(key);
            if (value == null) {
                continue;
            }
            String host = HostNames.normalize(value.trim());
            if (host != null && !host.startsWith("*")) {
                return host;
            }
            problems.add(
                    source,
                    key + ": " + Problems.quote(value) + " is not a host name"
                            + (value.contains("$") ? " (nginx variables are not expanded)" : "") + "; ignored");
        }
        if (service != null
                && service.getSpec() != null
                && "ExternalName".equals(service.getSpec().getType())
                && service.getSpec().getExternalName() != null) {
            return service.getSpec().getExternalName();
        }
        return ref.service() + "." + ref.namespace() + ".svc";
    }

    private Trust read(String id) {
        int slash = id.indexOf('/');
        Secret secret = objects.secret(id.substring(0, slash), id.substring(slash + 1));
        if (secret == null) {
            return new Trust(null, null, "CA Secret " + id + " not found");
        }
        byte[] pem = TlsResolver.field(secret, CaCertificates.FIELD);
        if (pem == null) {
            return new Trust(null, null, "CA Secret " + id + " has no readable " + CaCertificates.FIELD);
        }
        try {
            List<X509Certificate> certificates = CaCertificates.parse(pem);
            return new Trust(certificates, CaCertificates.digest(certificates), null);
        } catch (CertificateProblem e) {
            return new Trust(null, null, "CA Secret " + id + ": " + e.getMessage());
        }
    }

    /** {@code namespace/name} of the CA Secret {@code ingress} names in its own namespace, if any. */
    static Set<String> caSecrets(Ingress ingress) {
        Set<String> keys = new LinkedHashSet<>();
        Map<String, String> a = ingress.getMetadata().getAnnotations();
        if (a != null) {
            String ns = KubeObjects.namespace(ingress);
            String name = caSecret(a, ns);
            if (name != null && !name.isEmpty()) {
                keys.add(ns + "/" + name);
            }
        }
        return keys;
    }
}
