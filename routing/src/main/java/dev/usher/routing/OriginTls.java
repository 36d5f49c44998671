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
 */
public record OriginTls(
        boolean verify,
        List<X509Certificate> trusted,
        String trustId,
        @Nullable String serverName) {

    /** No verification, no SNI: any certificate is accepted. */
    public static final OriginTls INSECURE = new OriginTls(false, List.of(), "none", null);

    public OriginTls {
        trusted = List.copyOf(Objects.requireNonNull(trusted, "trusted"));
        Objects.requireNonNull(trustId, "trustId");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof OriginTls o
                && verify == o.verify
                && trustId.equals(o.trustId)
                && Objects.equals(serverName, o.serverName);
    }

    @Override
    public int hashCode() {
        return (Boolean.hashCode(verify) * 31 + trustId.hashCode()) * 31 + Objects.hashCode(serverName);
    }

    @Override
    public String toString() {
        return (verify ? "verify " + trustId : "no verification") + (serverName == null ? "" : ", SNI " + serverName);
    }
}
