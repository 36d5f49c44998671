package dev.usher.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jspecify.annotations.Nullable;

/**
 * Issues X.509 certificates with fresh keys: the built-in default certificate, demo hosts, and test chains.
 *
 * <p>Not for production PKI: keys live only in memory and nothing is revoked. A generator is a small mutable
 * builder used on one thread; {@link #generate(String)} may be called more than once, each call makes a new key.
 * <pre>{@code
 * TlsCertificate root = CertificateGenerator.authority("Test Root").generate("root");
 * TlsCertificate leaf = CertificateGenerator.forHosts("a.example.com", "*.a.example.com")
 *         .keyType(KeyType.RSA_2048).issuedBy(root).generate("default/a-tls");
 * // leaf.chain() is [leaf, root]; PemCertificates.certificatesPem/privateKeyPem turn it into Secret data.
 * }</pre>
 */
public final class CertificateGenerator {

    /** The key algorithm of the issued certificate. */
    public enum KeyType {
        /** ECDSA on NIST P-256: fast to generate and to handshake. */
        EC_P256,
        /** RSA with a 2048-bit modulus: what most tools still issue. */
        RSA_2048
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String commonName;
    private final List<String> dnsNames;
    private final boolean authority;
    private boolean client;
    private KeyType keyType = KeyType.EC_P256;
    private Instant notBefore;
    private Instant notAfter;
    private @Nullable TlsCertificate issuer;

    private CertificateGenerator(String commonName, List<String> dnsNames, boolean authority) {
        this.commonName = commonName;
        this.dnsNames = dnsNames;
        this.authority = authority;
        // An hour of slack before now tolerates clients whose clock runs behind ours.
        Instant now = Instant.now();
        this.notBefore = now.minus(Duration.ofHours(1));
        this.notAfter = now.plus(Duration.ofDays(365));
    }

    /** A server certificate for {@code dnsNames} (subjectAltName entries; the first is also the CN). */
    public static CertificateGenerator forHosts(String... dnsNames) {
        Objects.requireNonNull(dnsNames, "dnsNames");
        if (dnsNames.length == 0) {
            throw new IllegalArgumentException("at least one DNS name is needed");
        }
        List<String> names = List.of(dnsNames);
        return new CertificateGenerator(names.get(0), names, false);
    }

    /** A server certificate with only a subject CN and no subjectAltName, like the default certificate. */
    public static CertificateGenerator named(String commonName) {
        return new CertificateGenerator(Objects.requireNonNull(commonName, "commonName"), List.of(), false);
    }

    /**
     * A client certificate (extended key usage clientAuth, no subjectAltName) with subject CN {@code commonName}, for
     * client-certificate authentication; sign it with {@link #issuedBy}.
     */
    public static CertificateGenerator client(String commonName) {
        CertificateGenerator generator =
                new CertificateGenerator(Objects.requireNonNull(commonName, "commonName"), List.of(), false);
        generator.client = true;
        return generator;
    }

    /** A certificate authority (root, or intermediate when {@link #issuedBy} is set) that can sign others. */
    public static CertificateGenerator authority(String commonName) {
        return new CertificateGenerator(Objects.requireNonNull(commonName, "commonName"), List.of(), true);
    }

    /** Sets the key algorithm; EC P-256 unless told otherwise. */
    public CertificateGenerator keyType(KeyType type) {
        this.keyType = Objects.requireNonNull(type, "type");
        return this;
    }

    /** Sets the validity window; by default from an hour ago to a year from now. */
    public CertificateGenerator validity(Instant from, Instant until) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(until, "until");
        if (until.isBefore(from)) {
            throw new IllegalArgumentException("validity ends before it starts: " + from + " > " + until);
        }
        this.notBefore = from;
        this.notAfter = until;
        return this;
    }

    /** Signs with {@code authority}'s key and appends its chain after the new certificate; self-signed if unset. */
    public CertificateGenerator issuedBy(TlsCertificate authority) {
        this.issuer = Objects.requireNonNull(authority, "authority");
        return this;
    }

    /** Generates a new key pair and certificate, returned with {@code id} and its chain, leaf first. */
    public TlsCertificate generate(String id) {
        Objects.requireNonNull(id, "id");
        try {
            KeyPair pair = newKeyPair(keyType);
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.CN, commonName)
                    .build();
            X500Name issuerName = issuer == null
                    ? subject
                    : X500Name.getInstance(
                            issuer.leaf().getSubjectX500Principal().getEncoded());
            PublicKey issuerPublicKey =
                    issuer == null ? pair.getPublic() : issuer.leaf().getPublicKey();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    issuerName,
                    new BigInteger(127, RANDOM).add(BigInteger.ONE),
                    Date.from(notBefore),
                    Date.from(notAfter),
                    subject,
                    pair.getPublic());
            addExtensions(builder, pair.getPublic(), issuerPublicKey);
            ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm(
                            issuer == null
                                    ? pair.getPrivate().getAlgorithm()
                                    : issuer.key().getAlgorithm()))
                    .build(issuer == null ? pair.getPrivate() : issuer.key());
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(certificate);
            if (issuer != null) {
                chain.addAll(issuer.chain());
            }
            return new TlsCertificate(id, pair.getPrivate(), chain);
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("cannot generate a certificate for " + commonName, e);
        }
    }

    private void addExtensions(X509v3CertificateBuilder builder, PublicKey subjectKey, PublicKey issuerKey)
            throws CertIOException, GeneralSecurityException {
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
        builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerKey));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
        if (authority) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return;
        }
        int usage = keyType == KeyType.RSA_2048
                ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                : KeyUsage.digitalSignature;
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
        builder.addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(client ? KeyPurposeId.id_kp_clientAuth : KeyPurposeId.id_kp_serverAuth));
        if (!dnsNames.isEmpty()) {
            GeneralName[] names = dnsNames.stream()
                    .map(name -> new GeneralName(GeneralName.dNSName, name))
                    .toArray(GeneralName[]::new);
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
    }

    private static KeyPair newKeyPair(KeyType type) throws GeneralSecurityException {
        if (type == KeyType.RSA_2048) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            return generator.generateKeyPair();
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static String signatureAlgorithm(String keyAlgorithm) {
        return "RSA".equals(keyAlgorithm) ? "SHA256withRSA" : "SHA256withECDSA";
    }
}
