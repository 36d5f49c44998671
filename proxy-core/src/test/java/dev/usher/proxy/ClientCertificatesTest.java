package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.proxy.ClientCertificates.Outcome;
import dev.usher.routing.ClientCertificateAuth;
import dev.usher.routing.ClientCertificateAuth.Verify;
import dev.usher.tls.CaCertificates;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.TlsCertificate;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.Certificate;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * The chain checks of client-certificate authentication, as nginx (OpenSSL) makes them: issuer, depth, dates,
 * purpose, revocation, each failure worded as OpenSSL's {@code ssl-client-verify: FAILED:<reason>}.
 */
final class ClientCertificatesTest {

    private final Instant now = Instant.now();

    private static final TlsCertificate CA =
            CertificateGenerator.authority("Root").generate("root");
    private static final TlsCertificate INTERMEDIATE =
            CertificateGenerator.authority("Intermediate").issuedBy(CA).generate("inter");
    private static final TlsCertificate DIRECT =
            CertificateGenerator.client("direct").issuedBy(CA).generate("direct");
    private static final TlsCertificate INDIRECT =
            CertificateGenerator.client("indirect").issuedBy(INTERMEDIATE).generate("indirect");

    private static ClientCertificateAuth auth(int depth, List<X509CRL> crls) {
        return new ClientCertificateAuth(
                Verify.ON,
                List.of(CA.leaf()),
                crls,
                CaCertificates.digest(List.of(CA.leaf()), crls),
                depth,
                false,
                null,
                null);
    }

    private static Certificate[] chain(TlsCertificate certificate) {
        return certificate.chain().toArray(new Certificate[0]);
    }

    @Test
    void noCertificate_isNone() {
        assertThat(ClientCertificates.verify(auth(1, List.of()), null, now)).isEqualTo(ClientCertificates.Result.NONE);
        assertThat(ClientCertificates.verify(auth(1, List.of()), new Certificate[0], now)
                        .verify())
                .isEqualTo("NONE");
    }

    @Test
    void issuedByTheCa_succeeds_andCarriesTheLeaf() {
        ClientCertificates.Result result = ClientCertificates.verify(auth(1, List.of()), chain(DIRECT), now);

        assertThat(result.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(result.verify()).isEqualTo("SUCCESS");
        assertThat(result.leaf()).isEqualTo(DIRECT.leaf());
    }

    @Test
    void anIntermediate_passesAtDepthOne_asOpenSslVerifyDepthCounts() {
        // openssl verify -verify_depth 0 fails a leaf-intermediate-root chain ("certificate chain too long"); 1 passes
        assertThat(ClientCertificates.verify(auth(0, List.of()), chain(INDIRECT), now)
                        .verify())
                .isEqualTo("FAILED:certificate chain too long");
        assertThat(ClientCertificates.verify(auth(1, List.of()), chain(INDIRECT), now)
                        .outcome())
                .isEqualTo(Outcome.SUCCESS);
        assertThat(ClientCertificates.verify(auth(0, List.of()), chain(DIRECT), now)
                        .outcome())
                .isEqualTo(Outcome.SUCCESS);
        // without the intermediate in what the client sends, there is no path
        assertThat(ClientCertificates.verify(auth(2, List.of()), new Certificate[] {INDIRECT.leaf()}, now)
                        .outcome())
                .isEqualTo(Outcome.NO_ISSUER);
    }

    @Test
    void anotherCa_isNoIssuer() {
        TlsCertificate other = CertificateGenerator.authority("Other").generate("other");
        TlsCertificate stranger =
                CertificateGenerator.client("stranger").issuedBy(other).generate("stranger");

        ClientCertificates.Result result = ClientCertificates.verify(auth(5, List.of()), chain(stranger), now);

        assertThat(result.outcome()).isEqualTo(Outcome.NO_ISSUER);
        assertThat(result.verify()).isEqualTo("FAILED:unable to get local issuer certificate");
    }

    @Test
    void expired_notYetValid_andServerOnlyCertificates_fail() {
        TlsCertificate expired = CertificateGenerator.client("old")
                .validity(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)))
                .issuedBy(CA)
                .generate("old");
        TlsCertificate future = CertificateGenerator.client("new")
                .validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)))
                .issuedBy(CA)
                .generate("new");
        TlsCertificate server =
                CertificateGenerator.forHosts("server.example").issuedBy(CA).generate("server");

        assertThat(ClientCertificates.verify(auth(1, List.of()), chain(expired), now)
                        .verify())
                .isEqualTo("FAILED:certificate has expired");
        assertThat(ClientCertificates.verify(auth(1, List.of()), chain(future), now)
                        .verify())
                .isEqualTo("FAILED:certificate is not yet valid");
        assertThat(ClientCertificates.verify(auth(1, List.of()), chain(server), now)
                        .verify())
                .isEqualTo("FAILED:unsupported certificate purpose");
    }

    @Test
    void aLeafWhoseKeyUsageAllowsNeitherSignatureNorKeyAgreement_isNotForClients_asOpenSsl() throws Exception {
        assertThat(ClientCertificates.verify(auth(1, List.of()), leaf(KeyUsage.keyEncipherment), now)
                        .verify())
                .isEqualTo("FAILED:unsupported certificate purpose");
        assertThat(ClientCertificates.verify(auth(1, List.of()), leaf(KeyUsage.keyAgreement), now)
                        .verify())
                .isEqualTo("SUCCESS");
    }

    /** A client certificate from the CA with {@code keyUsage} as its only key usages (clientAuth as its purpose). */
    private Certificate[] leaf(int keyUsage) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair pair = generator.generateKeyPair();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                        CA.leaf(),
                        BigInteger.valueOf(now.toEpochMilli()),
                        Date.from(now.minus(Duration.ofDays(1))),
                        Date.from(now.plus(Duration.ofDays(1))),
                        new X500Principal("CN=usage"),
                        pair.getPublic())
                .addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        String algorithm = CA.key().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        X509Certificate leaf = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(CA.key())));
        return new Certificate[] {leaf, CA.leaf()};
    }

    @Test
    void withACrl_aRevokedCertificateFails_andOthersPass() throws Exception {
        TlsCertificate revoked =
                CertificateGenerator.client("revoked").issuedBy(CA).generate("revoked");
        X509CRL crl = crl(CA, revoked.leaf().getSerialNumber(), now.plus(Duration.ofDays(1)));

        assertThat(ClientCertificates.verify(auth(1, List.of(crl)), chain(revoked), now)
                        .verify())
                .isEqualTo("FAILED:certificate revoked");
        assertThat(ClientCertificates.verify(auth(1, List.of(crl)), chain(DIRECT), now)
                        .outcome())
                .isEqualTo(Outcome.SUCCESS);
        // every certificate of the path needs its issuer's CRL (nginx's ssl_crl): the intermediate's is missing
        assertThat(ClientCertificates.verify(auth(2, List.of(crl)), chain(INDIRECT), now)
                        .verify())
                .isEqualTo("FAILED:unable to get certificate CRL");
    }

    @Test
    void anExpiredCrl_fails() throws Exception {
        X509CRL stale = crl(CA, BigInteger.TEN, now.minus(Duration.ofHours(1)));

        assertThat(ClientCertificates.verify(auth(1, List.of(stale)), chain(DIRECT), now)
                        .verify())
                .isEqualTo("FAILED:CRL has expired");
    }

    /** A CRL of {@code issuer} revoking {@code serial}, valid until {@code nextUpdate}. */
    static X509CRL crl(TlsCertificate issuer, BigInteger serial, Instant nextUpdate) throws Exception {
        Instant now = Instant.now();
        X509v2CRLBuilder builder = new X509v2CRLBuilder(
                X500Name.getInstance(issuer.leaf().getSubjectX500Principal().getEncoded()),
                Date.from(now.minus(Duration.ofDays(2))));
        builder.setNextUpdate(Date.from(nextUpdate));
        builder.addCRLEntry(serial, Date.from(now.minus(Duration.ofDays(1))), CRLReason.keyCompromise);
        return new JcaX509CRLConverter()
                .getCRL(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.key())));
    }
}
