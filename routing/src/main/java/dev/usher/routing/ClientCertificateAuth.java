package dev.usher.routing;

import com.google.re2j.Pattern;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Client-certificate authentication of a host (ingress-nginx's {@code auth-tls-*} annotations): the HTTPS listener
 * asks for a client certificate on this host's handshakes, and the proxy checks it per request against {@code cas}.
 *
 * <p>Two instances are equal when they trust the same certificates and CRLs (compared by {@code caId}, a digest the
 * translator computes) with the same settings: equality must be cheap, the translator compares the options of every
 * Ingress naming one host.
 *
 * @param verify what a missing or failing certificate means ({@code auth-tls-verify-client})
 * @param cas the CA certificates a client's chain must lead to ({@code ca.crt} of {@code auth-tls-secret})
 * @param crls the revocation lists of that Secret's {@code ca.crl}; when present every certificate of the chain needs
 *     one (nginx's {@code ssl_crl}), may be empty
 * @param caId identifies {@code cas} and {@code crls}: a digest of their encodings
 * @param depth the most intermediate certificates between the client certificate and one of {@code cas}: 0 = issued
 *     by one of them, 1 (ingress-nginx's default) allows one intermediate, each more one more ({@code
 *     auth-tls-verify-depth}: nginx's {@code ssl_verify_depth}, OpenSSL's verify depth)
 * @param passCertificate whether the client's certificate goes to the origin, URL-encoded PEM in {@code ssl-client-cert}
 *     ({@code auth-tls-pass-certificate-to-upstream})
 * @param errorPage where a client whose certificate is refused is redirected (302) instead of getting 400
 *     ({@code auth-tls-error-page}), or {@code null}
 * @param matchCn a pattern (RE2, unanchored, as nginx's {@code !~}) the client certificate's subject DN must contain
 *     (403 otherwise, {@code auth-tls-match-cn}), or {@code null}
 */
public record ClientCertificateAuth(
        Verify verify,
        List<X509Certificate> cas,
        List<X509CRL> crls,
        String caId,
        int depth,
        boolean passCertificate,
        @Nullable String errorPage,
        @Nullable Pattern matchCn) {

    /** nginx's {@code ssl_verify_client} values. */
    public enum Verify {
        /** A certificate that verifies is required (400 otherwise). */
        ON,
        /** No certificate is asked for; the origin is told {@code ssl-client-verify: NONE}. */
        OFF,
        /** No certificate passes; one that does not verify gets 400. */
        OPTIONAL,
        /** No certificate, or one whose issuer is unknown, passes; the origin is told the verification result. */
        OPTIONAL_NO_CA;

        /** The annotation's spelling: {@code on}, {@code off}, {@code optional}, {@code optional_no_ca}. */
        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The value for {@code text} (exact, as ingress-nginx's regex), or {@code null}. */
        public static @Nullable Verify of(String text) {
            for (Verify v : values()) {
                if (v.value().equals(text)) {
                    return v;
                }
            }
            return null;
        }
    }

    public ClientCertificateAuth {
        Objects.requireNonNull(verify, "verify");
        cas = List.copyOf(Objects.requireNonNull(cas, "cas"));
        crls = List.copyOf(Objects.requireNonNull(crls, "crls"));
        Objects.requireNonNull(caId, "caId");
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("at least one CA certificate is needed");
        }
        if (depth < 0) {
            throw new IllegalArgumentException("depth must be >= 0, got " + depth);
        }
    }

    /** Whether the handshake asks for a client certificate: every mode but {@link Verify#OFF}. */
    public boolean requestsCertificate() {
        return verify != Verify.OFF;
    }

    /** Whether a client certificate with subject {@code dn} (RFC 2253) passes {@code matchCn}; true without one. */
    public boolean subjectMatches(String dn) {
        return matchCn == null || matchCn.matcher(dn).find();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClientCertificateAuth o
                && verify == o.verify
                && caId.equals(o.caId)
                && depth == o.depth
                && passCertificate == o.passCertificate
                && Objects.equals(errorPage, o.errorPage)
                && Objects.equals(matchCnText(), o.matchCnText());
    }

    @Override
    public int hashCode() {
        return Objects.hash(verify, caId, depth, passCertificate, errorPage, matchCnText());
    }

    private @Nullable String matchCnText() {
        return matchCn == null ? null : matchCn.pattern();
    }

    @Override
    public String toString() {
        return "ClientCertificateAuth[verify=" + verify.value() + ", ca="
                + caId.substring(0, Math.min(12, caId.length()))
                + ", crls=" + crls.size() + ", depth=" + depth + ", passCertificate=" + passCertificate
                + (errorPage == null ? "" : ", errorPage=" + errorPage)
                + (matchCn == null ? "" : ", matchCn=" + matchCn.pattern()) + "]";
    }
}
