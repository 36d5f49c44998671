package dev.usher.tls;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Turns PEM bytes into JDK certificate and key objects with Bouncy Castle's parser.
 *
 * <p>Keys are converted with the JDK's own providers (no Bouncy Castle provider is registered), so both Netty's
 * JDK and OpenSSL engines accept them. Any parser failure, checked or not, becomes a {@link CertificateProblem}:
 * the bytes come from users.
 */
final class PemReader {

    private static final String CRT = "tls.crt";
    private static final String KEY = "tls.key";

    private PemReader() {
    }

    /** Every {@code CERTIFICATE} block in order; other blocks are skipped. At least one, or a problem. */
    static List<X509Certificate> certificates(byte[] pem) throws CertificateProblem {
        List<Object> objects = readAll(CRT, pem);
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        List<X509Certificate> chain = new ArrayList<>();
        for (Object object : objects) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    chain.add(converter.getCertificate(holder));
                } catch (CertificateException | RuntimeException e) {
                    throw new CertificateProblem(
                            "certificate " + (chain.size() + 1) + " in " + CRT + " is not a valid X.509 certificate: "
                                    + e.getMessage(), e);
                }
            }
        }
        if (chain.isEmpty()) {
            throw new CertificateProblem("no certificate in " + CRT + " (expected a PEM 'BEGIN CERTIFICATE' block)");
        }
        return chain;
    }

    /** The first private key block, unencrypted; EC PARAMETERS and certificate blocks are skipped. */
    static PrivateKey privateKey(byte[] pem) throws CertificateProblem {
        for (Object object : readAll(KEY, pem)) {
            PrivateKeyInfo info;
            if (object instanceof PEMKeyPair pair) {
                info = pair.getPrivateKeyInfo();
            } else if (object instanceof PrivateKeyInfo plain) {
                info = plain;
            } else if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new CertificateProblem(KEY + " holds an encrypted private key; a Secret must hold it unencrypted");
            } else {
                continue;
            }
            try {
                return new JcaPEMKeyConverter().getPrivateKey(info);
            } catch (IOException | RuntimeException e) {
                throw new CertificateProblem(KEY + " holds a private key that cannot be read: " + e.getMessage(), e);
            }
        }
        throw new CertificateProblem("no private key in " + KEY
                + " (expected 'BEGIN RSA PRIVATE KEY', 'BEGIN EC PRIVATE KEY' or 'BEGIN PRIVATE KEY')");
    }

    private static List<Object> readAll(String field, byte[] pem) throws CertificateProblem {
        List<Object> objects = new ArrayList<>();
        Reader reader = new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII);
        try (PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            throw new CertificateProblem(field + " is not valid PEM: " + e.getMessage(), e);
        }
        return objects;
    }
}
