package dev.usher.k8s.translate;

import dev.usher.k8s.translate.IngressConverter.Converted;
import dev.usher.k8s.translate.IngressConverter.TlsEntry;
import dev.usher.routing.HostRule;
import dev.usher.routing.ObjectRef;
import dev.usher.tls.CertificateProblem;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Turns {@code spec.tls} entries into certificates by host, reading {@code kubernetes.io/tls} Secrets of the
 * Ingress's own namespace (the only place that knows the {@code tls} module's parser).
 *
 * <p>A Secret that is missing, of the wrong type, or whose PEM does not parse is reported, and its hosts fall back to
 * the default certificate. As in ingress-nginx, an Ingress's {@code spec.tls} serves only the hosts of its own rules:
 * a rule host takes the certificate of the entry that lists it, else the first of the Ingress's certificates whose
 * names cover it (so an entry with no hosts covers the rule hosts its certificate names); a listed host the rules do
 * not name gets nothing, reported. Ingresses are visited oldest first, so when two Ingresses give one host different
 * certificates the older one keeps it and the younger is reported.
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
            String source = "Ingress " + ingress.ruleSet().id();
            List<Parsed> certificates = certificates(ingress, source, problems);
            Set<String> routed = routedHosts(ingress);
            for (String host : routed) {
                TlsCertificate certificate = certificateFor(host, ingress.tls(), certificates);
                if (certificate == null) {
                    continue;
                }
                TlsCertificate existing = byHost.putIfAbsent(host, certificate);
                if (existing != null && !existing.id().equals(certificate.id())) {
                    problems.add(
                            source,
                            "host " + host + " already uses Secret " + existing.id() + " of older "
                                    + ownerByHost.get(host) + "; Secret " + certificate.id() + " ignored for it");
                } else {
                    ownerByHost.putIfAbsent(host, source);
                }
            }
            reportUnrouted(ingress, routed, source, problems);
        }
        return byHost;
    }

    /** Each {@code spec.tls} entry's certificate, or why there is none (reported); null for an entry without one. */
    private List<Parsed> certificates(Converted ingress, String source, Problems problems) {
        String ns = ingress.ruleSet().namespace();
        List<Parsed> certificates = new ArrayList<>(ingress.tls().size());
        for (TlsEntry entry : ingress.tls()) {
            if (entry.secretName() == null) {
                certificates.add(null);
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
            }
            certificates.add(result);
        }
        return certificates;
    }

    /**
     * ingress-nginx's choice for one host of the Ingress's rules: the entry that lists the host (its certificate, or
     * none when it has no usable one); else the first certificate whose names cover the host.
     */
    private static @Nullable TlsCertificate certificateFor(
            String host, List<TlsEntry> entries, List<Parsed> certificates) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).hosts().contains(host)) {
                Parsed parsed = certificates.get(i);
                return parsed == null ? null : parsed.certificate();
            }
        }
        for (Parsed parsed : certificates) {
            if (parsed != null && parsed.certificate() != null && covers(parsed.certificate(), host)) {
                return parsed.certificate();
            }
        }
        return null;
    }

    /**
     * The hosts the Ingress's rules name: the only ones its {@code spec.tls} may give a certificate, as in ingress-nginx.
     * Otherwise a tenant could list another tenant's host there and have its certificate, or none of the other's
     * client-certificate checks, served for it.
     */
    private static Set<String> routedHosts(Converted ingress) {
        Set<String> hosts = new LinkedHashSet<>();
        for (HostRule rule : ingress.ruleSet().rules()) {
            String host = HostNames.normalize(rule.host());
            if (host != null) {
                hosts.add(host);
            }
        }
        return hosts;
    }

    /** A {@code spec.tls} host the Ingress does not route gets nothing from it: said, not silently dropped. */
    private static void reportUnrouted(Converted ingress, Set<String> routed, String source, Problems problems) {
        Set<String> unrouted = new TreeSet<>();
        for (TlsEntry entry : ingress.tls()) {
            if (entry.secretName() != null) {
                unrouted.addAll(entry.hosts());
            }
        }
        unrouted.removeAll(routed);
        ingress.ruleSet().options().serverAliases().forEach(unrouted::remove); // served as their host, with its
        if (!unrouted.isEmpty()) {
            problems.add(
                    source,
                    "spec.tls host(s) " + String.join(", ", unrouted) + " not in this Ingress's rules: its"
                            + " certificates are not served for them (as ingress-nginx); add a rule for each");
        }
    }

    /** Whether one of the certificate's DNS names is {@code host} or a one-label wildcard over it. */
    static boolean covers(TlsCertificate certificate, String host) {
        for (String raw : certificate.dnsNames()) {
            String name = HostNames.normalize(raw);
            if (name == null) {
                continue;
            }
            if (name.equals(host)) {
                return true;
            }
            int dot = host.indexOf('.');
            if (name.startsWith("*.")
                    && dot > 0
                    && !host.startsWith("*.")
                    && host.substring(dot).equals(name.substring(1))) {
                return true;
            }
        }
        return false;
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
