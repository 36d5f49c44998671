package dev.usher.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Reads the PEM of a {@code kubernetes.io/tls} Secret into a checked {@link TlsCertificate}, and writes PEM back.
 *
 * <p>Accepted: a chain of {@code CERTIFICATE} blocks in {@code tls.crt}, leaf first; in {@code tls.key} an RSA key
 * as PKCS#1 ({@code RSA PRIVATE KEY}) or PKCS#8 ({@code PRIVATE KEY}), an EC key as SEC1 ({@code EC PRIVATE KEY},
 * with or without an {@code EC PARAMETERS} block) or PKCS#8. Checked: there is a certificate and an unencrypted key,
 * the key belongs to the leaf, the leaf has not expired. Every failure is a {@link CertificateProblem}.
 */
public final class PemCertificates {

    /** How {@link #privateKeyPem} encodes a key. */
    public enum KeyFormat {
        /** PKCS#1 {@code RSA PRIVATE KEY} for RSA keys, SEC1 {@code EC PRIVATE KEY} for EC keys. */
        TRADITIONAL,
        /** PKCS#8 {@code PRIVATE KEY}, for any algorithm. */
        PKCS8
    }

    private PemCertificates() {}

    /**
     * Parses and checks a certificate chain and its key against the system clock.
     *
     * @param id      the source, {@code "namespace/name"} or {@code "default"}
     * @param certPem the {@code tls.crt} bytes: one or more PEM certificates, leaf first
     * @param keyPem  the {@code tls.key} bytes: one PEM private key
     * @throws CertificateProblem when the input cannot be served; the message says why
     */
    public static TlsCertificate parse(String id, byte[] certPem, byte[] keyPem) throws CertificateProblem {
        return parse(id, certPem, keyPem, Clock.systemUTC());
    }

    /** As {@link #parse(String, byte[], byte[])}, judging expiry by {@code clock}. */
    public static TlsCertificate parse(String id, byte[] certPem, byte[] keyPem, Clock clock)
            throws CertificateProblem {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(certPem, "certPem");
        Objects.requireNonNull(keyPem, "keyPem");
        Objects.requireNonNull(clock, "clock");
        List<X509Certificate> chain = PemReader.certificates(certPem);
        PrivateKey key = PemReader.privateKey(keyPem, chain.get(0));
        CertificateChecks.keyMatchesLeaf(key, chain.get(0));
        CertificateChecks.notExpired(chain.get(0), clock.instant());
        return new TlsCertificate(id, key, chain);
    }

    /** Writes {@code chain} as consecutive {@code CERTIFICATE} PEM blocks, in the given order. */
    public static byte[] certificatesPem(List<X509Certificate> chain) {
        Objects.requireNonNull(chain, "chain");
        return write(chain.toArray());
    }

    /** Writes {@code key} as one PEM block in {@code format}. */
    public static byte[] privateKeyPem(PrivateKey key, KeyFormat format) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(format, "format");
        if (format == KeyFormat.TRADITIONAL && key instanceof ECPrivateKey ec) {
            return write(sec1(ec));
        }
        if (format == KeyFormat.TRADITIONAL) {
            // Bouncy Castle's writer turns an RSA key into PKCS#1.
            return write(key);
        }
        try {
            return write(new JcaPKCS8Generator(key, null).generate());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode " + key.getAlgorithm() + " key as PKCS#8", e);
        }
    }

    /**
     * SEC1 with the curve named inside, as {@code openssl ecparam -genkey} writes it: the JDK's PKCS#8 encoding
     * keeps the curve in the outer algorithm identifier only, which a bare SEC1 block would lose.
     */
    private static PemObject sec1(ECPrivateKey key) {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        try {
            org.bouncycastle.asn1.sec.ECPrivateKey inner =
                    org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
            org.bouncycastle.asn1.sec.ECPrivateKey withCurve = new org.bouncycastle.asn1.sec.ECPrivateKey(
                    key.getParams().getOrder().bitLength(),
                    inner.getKey(),
                    inner.getPublicKey(),
                    info.getPrivateKeyAlgorithm().getParameters());
            return new PemObject("EC PRIVATE KEY", withCurve.getEncoded());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode EC key as SEC1", e);
        }
    }

    private static byte[] write(Object... objects) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JcaPEMWriter writer = new JcaPEMWriter(new OutputStreamWriter(out, StandardCharsets.US_ASCII))) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write PEM", e);
        }
        return out.toByteArray();
    }
}
