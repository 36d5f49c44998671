package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
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
    void tls_entryWithoutHosts_coversTheNamesInTheCertificate() {
        Translation t = translate(ingress("a", null, "cert"), secret("cert", A));
        assertThat(t.certificates()).containsOnlyKeys("a.example.com", "www.a.example.com");
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

    private static String ingress(String name, String created, String secret, String... hosts) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %s, creationTimestamp: %s}
                spec:
                  tls: [{hosts: [%s], secretName: %s}]
                  defaultBackend: {service: {name: alpaca, port: {number: 8080}}}
                """.formatted(name, created == null ? "null" : "'" + created + "'", String.join(", ", hosts), secret);
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
