package dev.usher.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;

/**
 * A CA bundle from a Secret's {@code ca.crt}: the certificates an origin's chain must lead to when Usher verifies it.
 */
public final class CaCertificates {

    /** The Secret key ingress-nginx and cert-manager store a CA bundle under. */
    public static final String FIELD = "ca.crt";

    private CaCertificates() {}

    /** Every {@code CERTIFICATE} block of {@code pem}, at least one, or a problem saying what is wrong. */
    public static List<X509Certificate> parse(byte[] pem) throws CertificateProblem {
        return List.copyOf(PemReader.certificates(FIELD, pem));
    }

    /** A SHA-256 digest of the certificates' DER encodings in order, hex: equal bundles, equal ids. */
    public static String digest(List<X509Certificate> certificates) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (X509Certificate certificate : certificates) {
                sha.update(certificate.getEncoded());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot digest a parsed certificate", e);
        }
    }
}
