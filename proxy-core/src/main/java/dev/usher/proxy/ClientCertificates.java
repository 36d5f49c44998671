package dev.usher.proxy;

import dev.usher.routing.ClientCertificateAuth;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Verifies a client's certificate chain against an Ingress's {@code auth-tls-secret}, as nginx's
 * {@code ssl_verify_client} does (OpenSSL's checks and its error strings, which reach the origin in
 * {@code ssl-client-verify: FAILED:<reason>}): validity dates, the leaf's extended key usage (client authentication,
 * when it names any), a path to one of the CAs within {@code auth-tls-verify-depth}, and with a {@code ca.crl} the
 * revocation of every certificate of the path. Every certificate of {@code ca.crt} is a trust anchor.
 *
 * <p>Called once per connection and CA bundle (the result is cached on the connection), on its event loop: a path
 * of a few certificates costs a few signature checks.
 */
final class ClientCertificates {

    /** What became of the certificate; {@link #NO_ISSUER} is the failure {@code optional_no_ca} lets through. */
    enum Outcome {
        NONE,
        SUCCESS,
        NO_ISSUER,
        FAILED
    }

    /**
     * A verification: its outcome, the {@code ssl-client-verify} value ({@code SUCCESS}, {@code NONE},
     * {@code FAILED:<reason>}) and the client's certificate, if it sent one.
     */
    record Result(Outcome outcome, String verify, @Nullable X509Certificate leaf) {
        static final Result NONE = new Result(Outcome.NONE, "NONE", null);

        static Result failed(Outcome outcome, String reason, X509Certificate leaf) {
            return new Result(outcome, "FAILED:" + reason, leaf);
        }
    }

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String ANY_USAGE = "2.5.29.37.0";

    private ClientCertificates() {}

    /** Verifies {@code peer} (the session's peer certificates, leaf first; null or empty for none) at {@code instant}. */
    static Result verify(ClientCertificateAuth auth, Certificate @Nullable [] peer, Instant instant) {
        Date now = Date.from(instant); // the type the certificate APIs take
        if (peer == null || peer.length == 0 || !(peer[0] instanceof X509Certificate leaf)) {
            return Result.NONE;
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate certificate : peer) {
            if (certificate instanceof X509Certificate x509) {
                chain.add(x509);
            }
        }
        for (X509Certificate certificate : chain) {
            try {
                certificate.checkValidity(now);
            } catch (CertificateExpiredException e) {
                return Result.failed(Outcome.FAILED, "certificate has expired", leaf);
            } catch (CertificateNotYetValidException e) {
                return Result.failed(Outcome.FAILED, "certificate is not yet valid", leaf);
            }
        }
        if (!forClients(leaf)) {
            return Result.failed(Outcome.FAILED, "unsupported certificate purpose", leaf);
        }
        List<X509Certificate> path = path(auth, leaf, chain, now, auth.depth());
        if (path == null) {
            return path(auth, leaf, chain, now, Integer.MAX_VALUE) != null
                    ? Result.failed(Outcome.FAILED, "certificate chain too long", leaf)
                    : Result.failed(Outcome.NO_ISSUER, "unable to get local issuer certificate", leaf);
        }
        String revoked = auth.crls().isEmpty() ? null : revocation(path, auth.crls(), now);
        return revoked == null
                ? new Result(Outcome.SUCCESS, "SUCCESS", leaf)
                : Result.failed(Outcome.FAILED, revoked, leaf);
    }

    /**
     * OpenSSL's purpose "sslclient", which nginx checks: a leaf that names extended key usages must name client
     * authentication, and one that names key usages must allow digital signature or key agreement.
     */
    private static boolean forClients(X509Certificate leaf) {
        boolean[] keyUsage = leaf.getKeyUsage(); // digitalSignature (0), ..., keyAgreement (4), ...
        if (keyUsage != null && !(keyUsage.length > 0 && keyUsage[0]) && !(keyUsage.length > 4 && keyUsage[4])) {
            return false;
        }
        try {
            List<String> usages = leaf.getExtendedKeyUsage();
            return usages == null || usages.contains(CLIENT_AUTH) || usages.contains(ANY_USAGE);
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    /**
     * The path from {@code leaf} to a CA, leaf first and the CA last, with at most {@code depth} intermediate
     * certificates between them (OpenSSL's verify depth, which nginx's {@code ssl_verify_depth} sets: depth 1 accepts
     * leaf, intermediate, CA); {@code null} when there is none. A leaf that is itself one of the CAs is its own path.
     */
    private static @Nullable List<X509Certificate> path(
            ClientCertificateAuth auth, X509Certificate leaf, List<X509Certificate> chain, Date now, int depth) {
        if (auth.cas().contains(leaf)) {
            return List.of(leaf);
        }
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            for (X509Certificate ca : auth.cas()) {
                anchors.add(new TrustAnchor(ca, null));
            }
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(leaf);
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
            parameters.setRevocationEnabled(false); // checked below against ca.crl only, as nginx's ssl_crl
            parameters.setDate(now);
            parameters.setMaxPathLength(depth == Integer.MAX_VALUE ? -1 : depth);
            parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(chain)));
            PKIXCertPathBuilderResult result = (PKIXCertPathBuilderResult)
                    CertPathBuilder.getInstance("PKIX").build(parameters);
            List<X509Certificate> path = new ArrayList<>();
            for (Certificate certificate : result.getCertPath().getCertificates()) {
                path.add((X509Certificate) certificate);
            }
            path.add(result.getTrustAnchor().getTrustedCert());
            return path;
        } catch (GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Why a certificate of {@code path} (leaf first, CA last) is revoked or cannot be checked, or {@code null}: as
     * nginx with {@code ssl_crl} (OpenSSL's CRL_CHECK_ALL), each needs a current CRL from its issuer. A CA at the end
     * that is not self-issued is not checked: its issuer is not at hand.
     */
    private static @Nullable String revocation(List<X509Certificate> path, List<X509CRL> crls, Date now) {
        for (int i = 0; i < path.size(); i++) {
            X509Certificate certificate = path.get(i);
            boolean last = i == path.size() - 1;
            boolean selfIssued = certificate.getIssuerX500Principal().equals(certificate.getSubjectX500Principal());
            if (last && !selfIssued) {
                break;
            }
            PublicKey issuerKey =
                    last ? certificate.getPublicKey() : path.get(i + 1).getPublicKey();
            X509CRL crl = crlOf(certificate, issuerKey, crls);
            if (crl == null) {
                return "unable to get certificate CRL";
            }
            if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(now.toInstant())) {
                return "CRL has expired";
            }
            if (crl.isRevoked(certificate)) {
                return "certificate revoked";
            }
        }
        return null;
    }

    private static @Nullable X509CRL crlOf(X509Certificate certificate, PublicKey issuerKey, List<X509CRL> crls) {
        for (X509CRL crl : crls) {
            if (crl.getIssuerX500Principal().equals(certificate.getIssuerX500Principal())) {
                try {
                    crl.verify(issuerKey);
                    return crl;
                } catch (GeneralSecurityException | RuntimeException e) {
                    // signed by someone else with the same name: keep looking
                }
            }
        }
        return null;
    }
}
