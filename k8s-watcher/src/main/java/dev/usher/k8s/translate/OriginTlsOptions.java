package dev.usher.k8s.translate;

import dev.usher.routing.BackendProtocol;
import dev.usher.routing.BackendRef;
import dev.usher.routing.OriginTls;
import dev.usher.routing.Upstream;
import dev.usher.tls.CaCertificates;
import dev.usher.tls.CertificateProblem;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
            return Upstream.of(protocol, new OriginTls(false, List.of(), "none", sni ? name : null));
        }
        if (secretName == null) {
            return Upstream.of(protocol, new OriginTls(true, List.of(), "default", name));
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
        return Upstream.of(protocol, new OriginTls(true, trust.certificates(), trust.id(), name));
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
