package dev.usher.tls;

import static dev.usher.tls.CertificateGenerator.KeyType.EC_P256;
import static dev.usher.tls.CertificateGenerator.KeyType.RSA_2048;
import static dev.usher.tls.PemCertificates.KeyFormat.PKCS8;
import static dev.usher.tls.PemCertificates.KeyFormat.TRADITIONAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

final class PemCertificatesTest {

    // Only to write encrypted keys in a test: the code under test never registers or uses this provider.
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private static final TlsCertificate RSA =
            CertificateGenerator.forHosts("rsa.example.com").keyType(RSA_2048).generate("rsa");
    private static final TlsCertificate EC =
            CertificateGenerator.forHosts("ec.example.com").keyType(EC_P256).generate("ec");

    static Stream<Arguments> keyEncodings() {
        return Stream.of(
                Arguments.of("RSA PKCS#1", RSA, TRADITIONAL, "-----BEGIN RSA PRIVATE KEY-----"),
                Arguments.of("RSA PKCS#8", RSA, PKCS8, "-----BEGIN PRIVATE KEY-----"),
                Arguments.of("EC SEC1", EC, TRADITIONAL, "-----BEGIN EC PRIVATE KEY-----"),
                Arguments.of("EC PKCS#8", EC, PKCS8, "-----BEGIN PRIVATE KEY-----"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keyEncodings")
    void parse_eachKeyEncoding_returnsTheKeyAndChain(
            String name, TlsCertificate source, PemCertificates.KeyFormat format, String header) throws Exception {
        byte[] keyPem = PemCertificates.privateKeyPem(source.key(), format);
        assertThat(new String(keyPem, StandardCharsets.US_ASCII)).startsWith(header);

        TlsCertificate parsed =
                PemCertificates.parse("ns/" + source.id(), PemCertificates.certificatesPem(source.chain()), keyPem);

        assertThat(parsed.id()).isEqualTo("ns/" + source.id());
        assertThat(secret(parsed.key())).isEqualTo(secret(source.key()));
        assertThat(parsed.chain()).isEqualTo(source.chain());
    }

    @Test
    void parse_ecKeyAfterEcParametersBlock_readsTheKey() throws Exception {
        // What `openssl ecparam -genkey -name prime256v1` prints.
        byte[] keyPem = concat(ecParametersBlock(), PemCertificates.privateKeyPem(EC.key(), TRADITIONAL));

        TlsCertificate parsed = PemCertificates.parse("ns/ec", PemCertificates.certificatesPem(EC.chain()), keyPem);

        assertThat(secret(parsed.key())).isEqualTo(secret(EC.key()));
    }

    @Test
    void parse_sec1KeyWithoutCurve_takesTheCurveFromTheParametersBlockOrTheLeaf() throws Exception {
        byte[] bareSec1 = bareSec1(EC);
        assertThat(new String(bareSec1, StandardCharsets.US_ASCII)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        byte[] certPem = PemCertificates.certificatesPem(EC.chain());

        TlsCertificate fromBlock = PemCertificates.parse("ns/ec", certPem, concat(ecParametersBlock(), bareSec1));
        TlsCertificate fromLeaf = PemCertificates.parse("ns/ec", certPem, bareSec1);

        assertThat(secret(fromBlock.key())).isEqualTo(secret(EC.key()));
        assertThat(secret(fromLeaf.key())).isEqualTo(secret(EC.key()));
    }

    @Test
    void parse_encryptedKeys_areRejectedAsEncrypted() throws Exception {
        byte[] certPem = PemCertificates.certificatesPem(RSA.chain());
        char[] password = "secret".toCharArray();
        StringWriter traditional = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(traditional)) {
            writer.writeObject(
                    RSA.key(),
                    new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(BC).build(password));
        }
        StringWriter pkcs8 = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pkcs8)) {
            writer.writeObject(new JcaPKCS8Generator(
                    RSA.key(),
                    new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                            .setProvider(BC)
                            .setPassword(password)
                            .build()));
        }

        for (StringWriter key : List.of(traditional, pkcs8)) {
            assertThatThrownBy(() -> PemCertificates.parse(
                            "ns/enc", certPem, key.toString().getBytes(StandardCharsets.US_ASCII)))
                    .isInstanceOf(CertificateProblem.class)
                    .hasMessageStartingWith("tls.key holds an encrypted private key");
        }
    }

    @Test
    void parse_chainOfThree_keepsLeafFirstOrder() throws Exception {
        TlsCertificate root = CertificateGenerator.authority("Test Root").generate("root");
        TlsCertificate intermediate = CertificateGenerator.authority("Test Intermediate")
                .issuedBy(root)
                .generate("intermediate");
        TlsCertificate leaf = CertificateGenerator.forHosts("chain.example.com")
                .issuedBy(intermediate)
                .generate("leaf");

        TlsCertificate parsed = PemCertificates.parse(
                "ns/chain",
                PemCertificates.certificatesPem(leaf.chain()),
                PemCertificates.privateKeyPem(leaf.key(), PKCS8));

        assertThat(parsed.chain()).hasSize(3);
        assertThat(parsed.chain())
                .extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("CN=chain.example.com", "CN=Test Intermediate", "CN=Test Root");
        parsed.chain().get(0).verify(intermediate.leaf().getPublicKey());
        parsed.chain().get(1).verify(root.leaf().getPublicKey());
    }

    @Test
    void parse_keyAndCertificateInOneFile_findsTheKey() throws Exception {
        byte[] both = concat(
                PemCertificates.certificatesPem(RSA.chain()), PemCertificates.privateKeyPem(RSA.key(), TRADITIONAL));

        TlsCertificate parsed = PemCertificates.parse("ns/both", both, both);

        assertThat(secret(parsed.key())).isEqualTo(secret(RSA.key()));
    }

    @Test
    void parse_keyOfAnotherCertificate_isRejectedAsMismatch() {
        TlsCertificate other = CertificateGenerator.forHosts("rsa.example.com")
                .keyType(RSA_2048)
                .generate("other");

        assertThatThrownBy(() -> PemCertificates.parse(
                        "ns/x",
                        PemCertificates.certificatesPem(RSA.chain()),
                        PemCertificates.privateKeyPem(other.key(), TRADITIONAL)))
                .isInstanceOf(CertificateProblem.class)
                .hasMessageStartingWith("tls.key does not match the certificate's public key");
    }

    @Test
    void parse_ecKeyForRsaCertificate_isRejectedAsMismatch() {
        assertThatThrownBy(() -> PemCertificates.parse(
                        "ns/x",
                        PemCertificates.certificatesPem(RSA.chain()),
                        PemCertificates.privateKeyPem(EC.key(), PKCS8)))
                .isInstanceOf(CertificateProblem.class)
                .hasMessageStartingWith("tls.key does not match the certificate's public key")
                .hasMessageContaining("tls.key is EC");
    }

    @Test
    void parse_ecKeyOnAnotherCurvePoint_isRejectedAsMismatch() {
        TlsCertificate other = CertificateGenerator.forHosts("ec.example.com").generate("other");

        assertThatThrownBy(() -> PemCertificates.parse(
                        "ns/x",
                        PemCertificates.certificatesPem(EC.chain()),
                        PemCertificates.privateKeyPem(other.key(), TRADITIONAL)))
                .isInstanceOf(CertificateProblem.class)
                .hasMessageStartingWith("tls.key does not match the certificate's public key");
    }

    @Test
    void parse_expiredCertificate_isRejectedWithItsNotAfter() {
        Instant notAfter = Instant.parse("2020-01-02T00:00:00Z");
        TlsCertificate old = CertificateGenerator.forHosts("old.example.com")
                .validity(Instant.parse("2020-01-01T00:00:00Z"), notAfter)
                .generate("old");

        assertThatThrownBy(() -> PemCertificates.parse(
                        "ns/old",
                        PemCertificates.certificatesPem(old.chain()),
                        PemCertificates.privateKeyPem(old.key(), PKCS8)))
                .isInstanceOf(CertificateProblem.class)
                .hasMessageStartingWith("certificate expired at 2020-01-02T00:00:00Z");
    }

    @Test
    void parse_clockBeforeNotAfter_acceptsAnOldCertificate() throws Exception {
        TlsCertificate old = CertificateGenerator.forHosts("old.example.com")
                .validity(Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2020-01-02T00:00:00Z"))
                .generate("old");
        Clock then = Clock.fixed(Instant.parse("2020-01-01T12:00:00Z"), ZoneOffset.UTC);

        TlsCertificate parsed = PemCertificates.parse(
                "ns/old",
                PemCertificates.certificatesPem(old.chain()),
                PemCertificates.privateKeyPem(old.key(), PKCS8),
                then);

        assertThat(parsed.notAfter()).isEqualTo(Instant.parse("2020-01-02T00:00:00Z"));
    }

    @Test
    void parse_clockAfterNotAfter_rejectsAValidCertificate() {
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(400));

        assertThatThrownBy(() -> PemCertificates.parse(
                        "ns/ec",
                        PemCertificates.certificatesPem(EC.chain()),
                        PemCertificates.privateKeyPem(EC.key(), PKCS8),
                        later))
                .isInstanceOf(CertificateProblem.class)
                .hasMessageStartingWith("certificate expired at");
    }

    static Stream<Arguments> badInputs() {
        byte[] goodCert = PemCertificates.certificatesPem(RSA.chain());
        byte[] goodKey = PemCertificates.privateKeyPem(RSA.key(), PKCS8);
        byte[] garbage = "hello world".getBytes(StandardCharsets.US_ASCII);
        byte[] brokenBase64 =
                "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII);
        byte[] notDer = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n"
                .getBytes(StandardCharsets.US_ASCII);
        return Stream.of(
                Arguments.of("empty tls.crt", new byte[0], goodKey, "no certificate in tls.crt"),
                Arguments.of("text tls.crt", garbage, goodKey, "no certificate in tls.crt"),
                Arguments.of("key only in tls.crt", goodKey, goodKey, "no certificate in tls.crt"),
                Arguments.of("bad base64 in tls.crt", brokenBase64, goodKey, "tls.crt is not valid PEM"),
                Arguments.of("not DER in tls.crt", notDer, goodKey, "tls.crt is not valid PEM"),
                Arguments.of("empty tls.key", goodCert, new byte[0], "no private key in tls.key"),
                Arguments.of("certificate as tls.key", goodCert, goodCert, "no private key in tls.key"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void parse_badInput_isACertificateProblemWithAClearMessage(String name, byte[] cert, byte[] key, String message) {
        assertThatThrownBy(() -> PemCertificates.parse("ns/bad", cert, key))
                .isInstanceOf(CertificateProblem.class)
                .hasMessageStartingWith(message);
    }

    static Stream<Arguments> damagedKeys() {
        String key = new String(PemCertificates.privateKeyPem(RSA.key(), PKCS8), StandardCharsets.US_ASCII);
        return Stream.of(
                Arguments.of("a character that is not base64", key.replaceFirst("\n(.{10})", "\n$1!")),
                Arguments.of("a truncated body", key.substring(0, key.length() / 2) + "\n-----END PRIVATE KEY-----\n"),
                Arguments.of("no END line", key.replace("-----END PRIVATE KEY-----", "")),
                Arguments.of("a body that is not DER", key.replaceFirst("\n.{8}", "\nAAAAAAAA")),
                Arguments.of("the body on the BEGIN line", key.replaceFirst("-----\n", "----- ")));
    }

    /** Problems reach logs, Events and /debug/routes: no message may quote a piece of a private key. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("damagedKeys")
    void parse_damagedKey_problemCarriesNoPieceOfTheKey(String damage, String key) {
        byte[] cert = PemCertificates.certificatesPem(RSA.chain());
        List<String> body = key.lines().filter(l -> !l.startsWith("-----")).toList();

        Throwable problem =
                catchThrowable(() -> PemCertificates.parse("ns/bad", cert, key.getBytes(StandardCharsets.US_ASCII)));

        assertThat(problem).isInstanceOf(CertificateProblem.class).hasNoCause();
        for (String line : body) {
            for (int i = 0; i + 8 <= line.length(); i++) {
                assertThat(problem.getMessage()).doesNotContain(line.substring(i, i + 8));
            }
        }
    }

    @Test
    void dnsNames_withSubjectAltNames_listsThemInOrder() {
        TlsCertificate certificate = CertificateGenerator.forHosts("A.example.com", "*.b.example.com")
                .generate("sans");

        assertThat(certificate.dnsNames()).containsExactly("a.example.com", "*.b.example.com");
    }

    @Test
    void dnsNames_withoutSubjectAltNames_fallsBackToTheCommonName() {
        TlsCertificate certificate =
                CertificateGenerator.named("legacy.example.com").generate("cn");

        assertThat(certificate.dnsNames()).containsExactly("legacy.example.com");
    }

    @Test
    void tlsCertificate_withoutAnyCertificate_isRefused() {
        assertThatThrownBy(() -> new TlsCertificate("ns/x", RSA.key(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least the leaf");
    }

    @Test
    void toString_neverPrintsTheKey() {
        assertThat(RSA.toString())
                .contains("rsa.example.com")
                .doesNotContain("modulus")
                .doesNotContain("exponent");
    }

    /** The secret part of a key, equal across encodings that differ only in optional fields. */
    private static BigInteger secret(PrivateKey key) {
        return key instanceof ECPrivateKey ec ? ec.getS() : ((RSAPrivateKey) key).getPrivateExponent();
    }

    private static byte[] ecParametersBlock() throws IOException {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject("EC PARAMETERS", SECObjectIdentifiers.secp256r1.getEncoded()));
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** SEC1 without the optional curve field: Bouncy Castle writes the JDK's inner PKCS#8 structure as is. */
    private static byte[] bareSec1(TlsCertificate ec) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(ec.key());
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
