package dev.usher.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CRLException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509CRL;
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

    /** The Secret key ingress-nginx reads certificate revocation lists from ({@code auth-tls-secret}). */
    public static final String CRL_FIELD = "ca.crl";

    /** Every {@code X509 CRL} block of {@code pem} (a Secret's {@code ca.crl}), at least one, or a problem. */
    public static List<X509CRL> parseCrls(byte[] pem) throws CertificateProblem {
        return List.copyOf(PemReader.crls(CRL_FIELD, pem));
    }

    /** A SHA-256 digest of the certificates' DER encodings in order, hex: equal bundles, equal ids. */
    public static String digest(List<X509Certificate> certificates) {
        return digest(certificates, List.of());
    }

    /** As {@link #digest(List)}, the revocation lists' encodings following the certificates'. */
    public static String digest(List<X509Certificate> certificates, List<X509CRL> crls) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (X509Certificate certificate : certificates) {
                sha.update(certificate.getEncoded());
            }
            for (X509CRL crl : crls) {
                sha.update(crl.getEncoded());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException | CertificateEncodingException | CRLException e) {
            throw new IllegalStateException("cannot digest a parsed certificate", e);
        }
    }
}
