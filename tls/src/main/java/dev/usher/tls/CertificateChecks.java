package dev.usher.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;

/** The checks a parsed certificate and key must pass before they are served. */
final class CertificateChecks {

    private static final SecureRandom RANDOM = new SecureRandom();

    private CertificateChecks() {}

    /**
     * Proves that {@code key} belongs to {@code leaf} by signing a random challenge with it and verifying the
     * signature with the leaf's public key; this works for every key encoding without comparing key internals.
     */
    static void keyMatchesLeaf(PrivateKey key, X509Certificate leaf) throws CertificateProblem {
        PublicKey publicKey = leaf.getPublicKey();
        String keyAlgorithm = family(key.getAlgorithm());
        String certAlgorithm = family(publicKey.getAlgorithm());
        if (!keyAlgorithm.equals(certAlgorithm)) {
            throw new CertificateProblem("tls.key does not match the certificate's public key (tls.key is "
                    + keyAlgorithm + ", the certificate's key is " + certAlgorithm + ")");
        }
        String signatureAlgorithm =
                switch (keyAlgorithm) {
                    case "RSA" -> "SHA256withRSA";
                    case "EC" -> "SHA256withECDSA";
                    case "Ed25519", "EdDSA" -> "Ed25519";
                    default ->
                        throw new CertificateProblem(
                                "tls.key uses the unsupported key algorithm " + keyAlgorithm + " (use RSA or EC)");
                };
        byte[] challenge = new byte[32];
        RANDOM.nextBytes(challenge);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(signatureAlgorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(signatureAlgorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            // Keys on different EC curves end up here: they cannot verify each other's signatures.
            matches = false;
        }
        if (!matches) {
            throw new CertificateProblem("tls.key does not match the certificate's public key (subject "
                    + leaf.getSubjectX500Principal().getName() + ")");
        }
    }

    /** Fails when the leaf's notAfter lies before {@code now}. */
    static void notExpired(X509Certificate leaf, Instant now) throws CertificateProblem {
        Instant notAfter = leaf.getNotAfter().toInstant();
        if (notAfter.isBefore(now)) {
            throw new CertificateProblem("certificate expired at " + notAfter + " (subject "
                    + leaf.getSubjectX500Principal().getName() + ")");
        }
    }

    private static String family(String algorithm) {
        return "ECDSA".equalsIgnoreCase(algorithm) ? "EC" : algorithm;
    }
}
