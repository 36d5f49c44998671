package dev.usher.k8s.translate;

import dev.usher.k8s.translate.IngressConverter.Converted;
import dev.usher.k8s.translate.IngressConverter.TlsEntry;
import dev.usher.routing.ObjectRef;
import dev.usher.tls.CertificateProblem;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns {@code spec.tls} entries into certificates by host, reading {@code kubernetes.io/tls} Secrets of the
 * Ingress's own namespace (the only place that knows the {@code tls} module's parser).
 *
 * <p>A Secret that is missing, of the wrong type, or whose PEM does not parse is reported, and its hosts fall back to
 * the default certificate. Ingresses are visited oldest first, so when two Ingresses give one host different
 * certificates the older one keeps it and the younger is reported. An entry with no hosts covers the names in the
 * certificate itself.
 */
final class TlsResolver {

    static final String TLS_TYPE = "kubernetes.io/tls";

    /** A parsed certificate, or why there is none. */
    private record Parsed(TlsCertificate certificate, String problem) {}

    private final KubeObjects objects;
    private final Map<ObjectRef, Parsed> parsed = new HashMap<>();

    TlsResolver(KubeObjects objects) {
        this.objects = objects;
    }

    /** Certificates by host; {@code ingresses} must be ordered oldest first. */
    Map<String, TlsCertificate> resolve(List<Converted> ingresses, Problems problems) {
        Map<String, TlsCertificate> byHost = new LinkedHashMap<>();
        Map<String, String> ownerByHost = new HashMap<>();
        for (Converted ingress : ingresses) {
            String ns = ingress.ruleSet().namespace();
            String source = "Ingress " + ingress.ruleSet().id();
            for (TlsEntry entry : ingress.tls()) {
                if (entry.secretName() == null) {
                    continue;
                }
                Parsed result = parsed.computeIfAbsent(
                        new ObjectRef(ns, entry.secretName()),
                        ref -> parse(ref.toString(), objects.secret(ns, entry.secretName())));
                if (result.certificate() == null) {
                    problems.add(
                            source,
                            result.problem() + "; "
                                    + (entry.hosts().isEmpty() ? "its hosts" : String.join(", ", entry.hosts()))
                                    + " get the default certificate");
                    continue;
                }
                List<String> hosts = entry.hosts().isEmpty()
                        ? result.certificate().dnsNames().stream()
                                .map(HostNames::normalize)
                                .filter(Objects::nonNull)
                                .toList()
                        : entry.hosts();
                for (String host : hosts) {
                    TlsCertificate existing = byHost.putIfAbsent(host, result.certificate());
                    if (existing != null
                            && !existing.id().equals(result.certificate().id())) {
                        problems.add(
                                source,
                                "host " + host + " already uses Secret " + existing.id() + " of older "
                                        + ownerByHost.get(host) + "; Secret "
                                        + result.certificate().id() + " ignored for it");
                    } else {
                        ownerByHost.putIfAbsent(host, source);
                    }
                }
            }
        }
        return byHost;
    }

    /**
     * The {@code --default-ssl-certificate} Secret {@code id} ({@code namespace/name}), or {@code null} with a problem
     * when it is missing or unusable. As when it is read at start-up, its type is not checked (in cluster mode only
     * {@code kubernetes.io/tls} Secrets are watched anyway).
     */
    TlsCertificate resolveDefault(String id, Problems problems) {
        int slash = id.indexOf('/');
        Secret secret = slash < 0 ? null : objects.secret(id.substring(0, slash), id.substring(slash + 1));
        Parsed result = parse(id, secret, false);
        if (result.certificate() == null) {
            problems.add("--default-ssl-certificate", result.problem() + "; the default certificate stays as it was");
        }
        return result.certificate();
    }

    private static Parsed parse(String id, Secret secret) {
        return parse(id, secret, true);
    }

    private static Parsed parse(String id, Secret secret, boolean checkType) {
        if (secret == null) {
            return new Parsed(null, "Secret " + id + " not found");
        }
        if (checkType && !TLS_TYPE.equals(secret.getType())) {
            return new Parsed(null, "Secret " + id + " is of type " + secret.getType() + ", not " + TLS_TYPE);
        }
        byte[] cert = field(secret, "tls.crt");
        byte[] key = field(secret, "tls.key");
        if (cert == null || key == null) {
            return new Parsed(null, "Secret " + id + " has no readable " + (cert == null ? "tls.crt" : "tls.key"));
        }
        try {
            return new Parsed(PemCertificates.parse(id, cert, key), null);
        } catch (CertificateProblem e) {
            return new Parsed(null, "Secret " + id + ": " + e.getMessage());
        }
    }

    /** {@code data} (base64) or, in hand-written manifests, {@code stringData} (plain text); null if absent or bad. */
    static byte[] field(Secret secret, String name) {
        if (secret.getData() != null && secret.getData().get(name) != null) {
            try {
                return Base64.getMimeDecoder().decode(secret.getData().get(name));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        if (secret.getStringData() != null && secret.getStringData().get(name) != null) {
            return secret.getStringData().get(name).getBytes(StandardCharsets.UTF_8);
        }
        return null;
    }
}
