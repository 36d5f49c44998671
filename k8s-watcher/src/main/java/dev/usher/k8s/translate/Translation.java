package dev.usher.k8s.translate;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.IngressRuleSet;
import dev.usher.tls.TlsCertificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The result of one pure translation: what to route, where the backends are, which certificates to serve, and what
 * was wrong with the input.
 *
 * @param ruleSets one per Ingress that is ours, in {@code namespace/name} order
 * @param endpoints the ready endpoints of every backend the rule sets (and the flag default) refer to
 * @param certificates certificates by exact host or {@code *.wildcard}; hosts missing here get the default certificate
 * @param defaultBackend the {@code --default-backend} flag, or {@code null}
 * @param problems what was skipped and why
 * @param defaultCertificate the {@code --default-ssl-certificate} Secret's certificate as it is now, or {@code null}
 *        when none is followed or it is unusable (then the default certificate in force stays)
 * @param clientCas the CAs whose client certificates the handshakes of each host (exact or {@code *.wildcard}) ask
 *        for (ingress-nginx's {@code auth-tls-secret}); hosts missing here ask for none
 * @param serverCiphers the TLS 1.2 cipher suites (IANA names, in order) the handshakes of each host offer
 *        (ingress-nginx's {@code ssl-ciphers}); hosts missing here offer the default list
 */
public record Translation(
        List<IngressRuleSet> ruleSets,
        Map<BackendRef, List<Endpoint>> endpoints,
        Map<String, TlsCertificate> certificates,
        BackendRef defaultBackend,
        List<Problem> problems,
        TlsCertificate defaultCertificate,
        Map<String, List<X509Certificate>> clientCas,
        Map<String, List<String>> serverCiphers) {

    public Translation {
        clientCas = Map.copyOf(Objects.requireNonNull(clientCas, "clientCas"));
        serverCiphers = Map.copyOf(Objects.requireNonNull(serverCiphers, "serverCiphers"));
        ruleSets = List.copyOf(Objects.requireNonNull(ruleSets, "ruleSets"));
        endpoints = Map.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
        certificates = Map.copyOf(Objects.requireNonNull(certificates, "certificates"));
        problems = List.copyOf(Objects.requireNonNull(problems, "problems"));
    }

    /** Without per-host cipher lists. */
    public Translation(
            List<IngressRuleSet> ruleSets,
            Map<BackendRef, List<Endpoint>> endpoints,
            Map<String, TlsCertificate> certificates,
            BackendRef defaultBackend,
            List<Problem> problems,
            TlsCertificate defaultCertificate,
            Map<String, List<X509Certificate>> clientCas) {
        this(ruleSets, endpoints, certificates, defaultBackend, problems, defaultCertificate, clientCas, Map.of());
    }

    /** Without client-certificate hosts. */
    public Translation(
            List<IngressRuleSet> ruleSets,
            Map<BackendRef, List<Endpoint>> endpoints,
            Map<String, TlsCertificate> certificates,
            BackendRef defaultBackend,
            List<Problem> problems,
            TlsCertificate defaultCertificate) {
        this(ruleSets, endpoints, certificates, defaultBackend, problems, defaultCertificate, Map.of());
    }

    /** Without a followed default certificate. */
    public Translation(
            List<IngressRuleSet> ruleSets,
            Map<BackendRef, List<Endpoint>> endpoints,
            Map<String, TlsCertificate> certificates,
            BackendRef defaultBackend,
            List<Problem> problems) {
        this(ruleSets, endpoints, certificates, defaultBackend, problems, null);
    }

    /** A copy whose problems start with {@code sourceProblems} (for example files that failed to parse). */
    public Translation withSourceProblems(List<Problem> sourceProblems) {
        if (sourceProblems.isEmpty()) {
            return this;
        }
        List<Problem> all = new ArrayList<>(sourceProblems);
        all.addAll(problems);
        return new Translation(
                ruleSets, endpoints, certificates, defaultBackend, all, defaultCertificate, clientCas, serverCiphers);
    }
}
