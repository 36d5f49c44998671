package dev.usher.tls;

import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.jspecify.annotations.Nullable;

/**
 * A private key and the certificate chain (leaf first) served with it, named by its source.
 *
 * <p>Instances made by {@link PemCertificates#parse} have been checked (key matches leaf, not expired); the
 * constructor itself only checks that the parts are present. {@link #toString()} never prints the key.
 *
 * @param id    where it came from: {@code "namespace/name"} of the Secret, or {@code "default"}
 * @param key   the private key of the leaf certificate
 * @param chain the leaf certificate followed by its intermediates, in the order they are sent to clients
 */
public record TlsCertificate(String id, PrivateKey key, List<X509Certificate> chain) {

    private static final int SAN_DNS_NAME = 2;

    /** Checks that every part is present and that the chain has at least the leaf; copies the chain. */
    public TlsCertificate {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(Objects.requireNonNull(chain, "chain"));
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("chain must hold at least the leaf certificate");
        }
    }

    /** The leaf certificate, the one whose public key matches {@link #key()}. */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    /**
     * The DNS names the leaf is valid for: its subjectAltName DNS entries, else its subject CN; lower-cased, in
     * certificate order. Empty when it has neither.
     */
    public List<String> dnsNames() {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf().getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(SAN_DNS_NAME).equals(san.get(0))) {
                        names.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // An unreadable extension is treated as absent: fall back to the CN like a client would.
        }
        if (names.isEmpty()) {
            String cn = commonName(leaf());
            if (cn != null) {
                names.add(cn.toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(names);
    }

    /** The instant after which the leaf is no longer valid. */
    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    @Override
    public String toString() {
        return "TlsCertificate[id=" + id + ", subject="
                + leaf().getSubjectX500Principal().getName() + ", dnsNames=" + dnsNames() + ", notAfter=" + notAfter()
                + ", chainLength=" + chain.size() + "]";
    }

    private static @Nullable String commonName(X509Certificate certificate) {
        try {
            LdapName name = new LdapName(certificate.getSubjectX500Principal().getName());
            // RFC 2253 order puts the most specific RDN last; a client uses the most specific CN.
            for (int i = name.size() - 1; i >= 0; i--) {
                Rdn rdn = name.getRdns().get(i);
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            // An unparsable subject has no usable CN.
        }
        return null;
    }
}
