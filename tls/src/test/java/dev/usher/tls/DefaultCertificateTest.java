package dev.usher.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class DefaultCertificateTest {

    @Test
    void generate_isSelfSignedWithTheUsherCommonName() throws Exception {
        TlsCertificate certificate = DefaultCertificate.generate();

        assertThat(certificate.id()).isEqualTo("default");
        assertThat(certificate.chain()).hasSize(1);
        assertThat(certificate.leaf().getSubjectX500Principal().getName())
                .isEqualTo("CN=Usher Ingress Controller Default Certificate");
        assertThat(certificate.leaf().getIssuerX500Principal())
                .isEqualTo(certificate.leaf().getSubjectX500Principal());
        certificate.leaf().verify(certificate.leaf().getPublicKey());
        assertThat(certificate.key().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void generate_isValidForAboutOneYear() {
        TlsCertificate certificate = DefaultCertificate.generate();

        Instant now = Instant.now();
        assertThat(certificate.leaf().getNotBefore().toInstant()).isBefore(now.plusSeconds(1));
        assertThat(certificate.notAfter()).isBetween(now.plus(Duration.ofDays(364)), now.plus(Duration.ofDays(366)));
    }

    @Test
    void generate_survivesAPemRoundTrip() throws Exception {
        TlsCertificate certificate = DefaultCertificate.generate();

        TlsCertificate parsed = PemCertificates.parse(
                "default",
                PemCertificates.certificatesPem(certificate.chain()),
                PemCertificates.privateKeyPem(certificate.key(), PemCertificates.KeyFormat.TRADITIONAL));

        assertThat(parsed.chain()).isEqualTo(certificate.chain());
    }
}
