package dev.usher.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.jspecify.annotations.Nullable;

/**
 * Turns PEM bytes into JDK certificate and key objects with Bouncy Castle's parser.
 *
 * <p>Keys are converted with the JDK's own providers (no Bouncy Castle provider is registered), so both Netty's
 * JDK and OpenSSL engines accept them. Any parser failure, checked or not, becomes a {@link CertificateProblem}:
 * the bytes come from users. Its message is ours, never the library's: those can quote the input, which may be a
 * private key, and problems end up in logs, Events and {@code /debug/routes}.
 */
final class PemReader {

    private static final String CRT = "tls.crt";
    private static final String KEY = "tls.key";

    private PemReader() {}

    /** Every {@code CERTIFICATE} block in order; other blocks are skipped. At least one, or a problem. */
    static List<X509Certificate> certificates(byte[] pem) throws CertificateProblem {
        return certificates(CRT, pem);
    }

    /** As {@link #certificates(byte[])}, naming {@code field} (the Secret key read) in problems. */
    static List<X509Certificate> certificates(String field, byte[] pem) throws CertificateProblem {
        List<Object> objects = readAll(field, pem);
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        List<X509Certificate> chain = new ArrayList<>();
        for (Object object : objects) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    chain.add(converter.getCertificate(holder));
                } catch (CertificateException | RuntimeException e) {
                    throw new CertificateProblem(
                            "certificate " + (chain.size() + 1) + " in " + field + " is not a valid X.509 certificate ("
                                    + e.getClass().getSimpleName() + ")");
                }
            }
        }
        if (chain.isEmpty()) {
            throw new CertificateProblem("no certificate in " + field + " (expected a PEM 'BEGIN CERTIFICATE' block)");
        }
        return chain;
    }

    /** Every {@code X509 CRL} block of {@code field} in order; other blocks are skipped. At least one, or a problem. */
    static List<X509CRL> crls(String field, byte[] pem) throws CertificateProblem {
        JcaX509CRLConverter converter = new JcaX509CRLConverter();
        List<X509CRL> crls = new ArrayList<>();
        for (Object object : readAll(field, pem)) {
            if (object instanceof X509CRLHolder holder) {
                try {
                    crls.add(converter.getCRL(holder));
                } catch (CRLException | RuntimeException e) {
                    throw new CertificateProblem("revocation list " + (crls.size() + 1) + " in " + field
                            + " is not a valid X.509 CRL (" + e.getClass().getSimpleName() + ")");
                }
            }
        }
        if (crls.isEmpty()) {
            throw new CertificateProblem("no revocation list in " + field + " (expected a PEM 'BEGIN X509 CRL' block)");
        }
        return crls;
    }

    /**
     * The first private key block, unencrypted; certificate blocks are skipped. A SEC1 EC key that does not name
     * its curve takes it from a preceding {@code EC PARAMETERS} block, else from {@code leaf}'s public key.
     */
    static PrivateKey privateKey(byte[] pem, X509Certificate leaf) throws CertificateProblem {
        @Nullable ASN1Encodable curve = null;
        for (Object object : readAll(KEY, pem)) {
            PrivateKeyInfo info;
            if (object instanceof ASN1ObjectIdentifier namedCurve) {
                curve = namedCurve;
                continue;
            }
            if (object instanceof PEMKeyPair pair) {
                info = pair.getPrivateKeyInfo();
            } else if (object instanceof PrivateKeyInfo plain) {
                info = plain;
            } else if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new CertificateProblem(
                        KEY + " holds an encrypted private key; a Secret must hold it unencrypted");
            } else {
                continue;
            }
            try {
                return new JcaPEMKeyConverter().getPrivateKey(withCurve(info, curve, leaf));
            } catch (IOException | RuntimeException e) {
                throw new CertificateProblem(KEY + " holds a private key that cannot be read ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        throw new CertificateProblem("no private key in " + KEY
                + " (expected 'BEGIN RSA PRIVATE KEY', 'BEGIN EC PRIVATE KEY' or 'BEGIN PRIVATE KEY')");
    }

    private static PrivateKeyInfo withCurve(PrivateKeyInfo info, @Nullable ASN1Encodable curve, X509Certificate leaf)
            throws IOException {
        AlgorithmIdentifier algorithm = info.getPrivateKeyAlgorithm();
        boolean curveMissing = algorithm.getParameters() == null || algorithm.getParameters() instanceof ASN1Null;
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm.getAlgorithm()) || !curveMissing) {
            return info;
        }
        ASN1Encodable parameters = curve;
        if (parameters == null) {
            AlgorithmIdentifier leafAlgorithm = SubjectPublicKeyInfo.getInstance(
                            leaf.getPublicKey().getEncoded())
                    .getAlgorithm();
            parameters = X9ObjectIdentifiers.id_ecPublicKey.equals(leafAlgorithm.getAlgorithm())
                    ? leafAlgorithm.getParameters()
                    : null;
        }
        return parameters == null
                ? info
                : new PrivateKeyInfo(
                        new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, parameters),
                        info.parsePrivateKey());
    }

    /**
     * Why a PEM text does not parse, in our own words: a parser's message may quote the input, and the input here
     * can be a private key, so it is never passed on (nor kept as a cause that a log line could print).
     */
    private static String pemReason(Exception e) {
        String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
        if (message.contains("base64")) {
            return "a block's base64 body does not decode";
        }
        if (message.contains("not found")) {
            return "a BEGIN line has no matching END line";
        }
        return "a block's content is malformed (" + e.getClass().getSimpleName() + ")";
    }

    private static List<Object> readAll(String field, byte[] pem) throws CertificateProblem {
        List<Object> objects = new ArrayList<>();
        Reader reader = new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII);
        try (PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            throw new CertificateProblem(field + " is not valid PEM: " + pemReason(e));
        }
        return objects;
    }
}
