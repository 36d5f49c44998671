package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TLS Secrets through the real PEM parser: which certificate each host gets, and what is reported. */
final class TlsTranslationTest {

    private static final TlsCertificate A =
            CertificateGenerator.forHosts("a.example.com", "www.a.example.com").generate("generated");

    @Test
    void tls_validSecret_givesItsCertificateToTheListedHosts() {
        Translation t = translate(ingress("a", null, "cert", "a.example.com"), secret("cert", A));
        assertThat(t.problems()).isEmpty();
        assertThat(t.certificates()).containsOnlyKeys("a.example.com");
        assertThat(t.certificates().get("a.example.com").id()).isEqualTo("default/cert");
    }

    @Test
    void tls_entryWithoutHosts_coversTheRuleHostsItsCertificateNames() {
        Translation t = translate(
                ingress("a", null, List.of(), "cert", List.of("a.example.com", "b.example.com")), secret("cert", A));
        assertThat(t.certificates()).containsOnlyKeys("a.example.com"); // not www.a: no rule; not b: not named
        assertThat(t.problems()).isEmpty();
    }

    @Test
    void tls_aRuleHostNotListed_takesTheFirstCertificateThatCoversIt_asIngressNginx() {
        TlsCertificate wildcard =
                CertificateGenerator.forHosts("*.a.example.com").generate("generated");
        Translation t = translate(
                ingress(
                        "a",
                        null,
                        List.of("a.example.com"),
                        "cert",
                        List.of("a.example.com", "x.a.example.com", "y.x.a.example.com")),
                secret("cert", wildcard));
        // a.example.com is listed, so it gets the entry's certificate, which does not name it (the client says so)
        assertThat(t.certificates()).containsOnlyKeys("a.example.com", "x.a.example.com");
    }

    @Test
    void tls_aHostTheIngressDoesNotRoute_getsNothingFromIt_andIsReported() {
        // tenant "owner" routes *.a.example.com with its certificate; tenant "claimant" lists x.a.example.com in its
        // spec.tls with a rule for another host only: it must not take x.a.example.com's handshakes
        TlsCertificate wildcard =
                CertificateGenerator.forHosts("*.a.example.com").generate("generated");
        TlsCertificate claim = CertificateGenerator.forHosts("x.a.example.com").generate("generated");
        Translation t = translate(
                ingress(
                        "owner",
                        "2024-06-01T00:00:00Z",
                        List.of("*.a.example.com"),
                        "owned",
                        List.of("*.a.example.com")),
                ingress(
                        "claimant",
                        "2024-01-01T00:00:00Z",
                        List.of("x.a.example.com"),
                        "claim",
                        List.of("b.example.com")),
                secret("owned", wildcard),
                secret("claim", claim));
        assertThat(t.certificates()).containsOnlyKeys("*.a.example.com");
        assertThat(t.certificates().get("*.a.example.com").id()).isEqualTo("default/owned");
        assertThat(t.problems()).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo("Ingress default/claimant");
            assertThat(p.message())
                    .isEqualTo("spec.tls host(s) x.a.example.com not in this Ingress's rules: its certificates are"
                            + " not served for them (as ingress-nginx); add a rule for each");
        });
    }

    @Test
    void tls_twoIngressesGivingOneHostDifferentSecrets_olderKeepsIt_youngerIsReported() {
        TlsCertificate other = CertificateGenerator.forHosts("a.example.com").generate("generated");
        Translation t = translate(
                ingress("young", "2024-06-01T00:00:00Z", "cert-y", "a.example.com"),
                ingress("old", "2024-01-01T00:00:00Z", "cert-o", "a.example.com"),
                secret("cert-y", other),
                secret("cert-o", A));
        assertThat(t.certificates().get("a.example.com").id()).isEqualTo("default/cert-o");
        assertThat(t.problems()).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo("Ingress default/young");
            assertThat(p.message()).contains("already uses Secret default/cert-o");
        });
    }

    @Test
    void tls_expiredCertificate_isAProblem_andTheHostFallsBackToTheDefault() {
        Instant past = Instant.now().minus(Duration.ofDays(30));
        TlsCertificate expired = CertificateGenerator.forHosts("a.example.com")
                .validity(past.minus(Duration.ofDays(30)), past)
                .generate("generated");
        Translation t = translate(ingress("a", null, "cert", "a.example.com"), secret("cert", expired));
        assertThat(t.certificates()).isEmpty();
        assertThat(t.problems()).extracting(Problem::message).singleElement().satisfies(m -> assertThat(m)
                .startsWith("Secret default/cert: ")
                .contains("a.example.com get the default certificate"));
        assertThat(t.ruleSets().get(0).options().tlsHosts()).containsExactly("a.example.com");
    }

    private static Translation translate(String... documents) {
        String[] all = Arrays.copyOf(documents, documents.length + 1);
        all[documents.length] = Yaml.service("alpaca", null, 8080, 80);
        return Translator.translate(Yaml.kube(all), WatcherSettings.defaults().withWatchIngressWithoutClass(true));
    }

    /** An Ingress with a rule for each of {@code hosts}, all listed in one {@code spec.tls} entry. */
    private static String ingress(String name, String created, String secret, String... hosts) {
        return ingress(name, created, List.of(hosts), secret, List.of(hosts));
    }

    private static String ingress(
            String name, String created, List<String> tlsHosts, String secret, List<String> ruleHosts) {
        StringBuilder rules = new StringBuilder();
        for (String host : ruleHosts) {
            rules.append("    - host: '").append(host).append("'\n").append("""
                          http:
                            paths:
                            - {path: /, pathType: Prefix, backend: {service: {name: alpaca, port: {number: 8080}}}}
                    """);
        }
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %s, creationTimestamp: %s}
                spec:
                  tls: [{hosts: [%s], secretName: %s}]
                  rules:
                %s""".formatted(
                        name,
                        created == null ? "null" : "'" + created + "'",
                        tlsHosts.stream().map(h -> "'" + h + "'").collect(java.util.stream.Collectors.joining(", ")),
                        secret,
                        rules);
    }

    private static String secret(String name, TlsCertificate certificate) {
        Base64.Encoder b64 = Base64.getEncoder();
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: %s}
                type: kubernetes.io/tls
                data: {tls.crt: %s, tls.key: %s}
                """.formatted(
                name,
                b64.encodeToString(PemCertificates.certificatesPem(certificate.chain())),
                b64.encodeToString(PemCertificates.privateKeyPem(certificate.key(), PemCertificates.KeyFormat.PKCS8)));
    }
}
