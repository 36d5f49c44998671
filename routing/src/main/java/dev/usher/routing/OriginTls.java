package dev.usher.routing;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a TLS connection to an origin checks and says.
 *
 * <p>Two instances are equal when they trust the same certificates (compared by {@code trustId}, a digest the
 * translator computes) and send the same name: the data plane keys its pools and client contexts by it, so that
 * equality must be cheap.
 *
 * @param verify whether the origin's certificate chain and name are checked; off, any certificate is accepted (as
 *     ingress-nginx's default {@code proxy-ssl-verify: off})
 * @param trusted the CA certificates a chain must lead to; empty with {@code verify} means the JVM's default trust
 *     store (public CAs, for ExternalName Services pointing at public sites)
 * @param trustId identifies {@code trusted}: {@code "none"}, {@code "default"} or a digest of the certificates
 * @param serverName the SNI name sent and, with {@code verify}, the name the certificate must carry; {@code null}
 *     sends no SNI
 * @param protocols the TLS versions offered ({@code "TLSv1.2"}, {@code "TLSv1.3"}; ingress-nginx's
 *     {@code proxy-ssl-protocols}); empty for the default, both
 * @param ciphers the TLS 1.2 cipher suites offered, IANA names in preference order (ingress-nginx's
 *     {@code proxy-ssl-ciphers}, evaluated by the translator); empty for the engine's default. TLS 1.3 suites are not
 *     chosen by it
 * @param verifyDepth with {@code verify}, the most intermediate CA certificates allowed between the origin's
 *     certificate and a trusted one (ingress-nginx's {@code proxy-ssl-verify-depth}, OpenSSL's verify depth); 0 for no
 *     limit
 */
public record OriginTls(
        boolean verify,
        List<X509Certificate> trusted,
        String trustId,
        @Nullable String serverName,
        List<String> protocols,
        List<String> ciphers,
        int verifyDepth) {

    /** No verification, no SNI: any certificate is accepted. */
    public static final OriginTls INSECURE = new OriginTls(false, List.of(), "none", null);

    public OriginTls {
        trusted = List.copyOf(Objects.requireNonNull(trusted, "trusted"));
        Objects.requireNonNull(trustId, "trustId");
        protocols = List.copyOf(Objects.requireNonNull(protocols, "protocols"));
        ciphers = List.copyOf(Objects.requireNonNull(ciphers, "ciphers"));
        if (verifyDepth < 0) {
            throw new IllegalArgumentException("verifyDepth " + verifyDepth + " < 0");
        }
    }

    /** The default protocols and ciphers, no depth limit. */
    public OriginTls(boolean verify, List<X509Certificate> trusted, String trustId, @Nullable String serverName) {
        this(verify, trusted, trustId, serverName, List.of(), List.of(), 0);
    }

    /** This with the given protocols, ciphers and verify depth (see the record's parameters). */
    public OriginTls with(List<String> protocols, List<String> ciphers, int verifyDepth) {
        return new OriginTls(verify, trusted, trustId, serverName, protocols, ciphers, verifyDepth);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof OriginTls o
                && verify == o.verify
                && trustId.equals(o.trustId)
                && Objects.equals(serverName, o.serverName)
                && protocols.equals(o.protocols)
                && ciphers.equals(o.ciphers)
                && verifyDepth == o.verifyDepth;
    }

    @Override
    public int hashCode() {
        int h = (Boolean.hashCode(verify) * 31 + trustId.hashCode()) * 31 + Objects.hashCode(serverName);
        return ((h * 31 + protocols.hashCode()) * 31 + ciphers.hashCode()) * 31 + verifyDepth;
    }

    @Override
    public String toString() {
        return (verify ? "verify " + trustId : "no verification")
                + (serverName == null ? "" : ", SNI " + serverName)
                + (protocols.isEmpty() ? "" : ", " + String.join(" ", protocols))
                + (ciphers.isEmpty() ? "" : ", ciphers " + String.join(":", ciphers))
                + (verify && verifyDepth > 0 ? ", depth " + verifyDepth : "");
    }
}
