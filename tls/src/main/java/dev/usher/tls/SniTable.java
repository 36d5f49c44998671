package dev.usher.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable host-to-certificate map with SNI lookup: exact host, then a one-label wildcard, then the default.
 *
 * <p>Each certificate carries the SHA-256 fingerprint of its key and chain, computed once when the table is built,
 * so that the context cache recognises an unchanged certificate across publishes and a rotated one as new.
 */
final class SniTable {

    private static final Logger LOG = LoggerFactory.getLogger(SniTable.class);

    /**
     * A certificate, the CAs whose client certificates its handshakes ask for (empty: none asked for), the TLS 1.2
     * cipher suites it offers (empty: {@link ServerContexts#CIPHERS}), and the fingerprint of all three, the key of its
     * cached context.
     */
    record Entry(
            TlsCertificate certificate, List<X509Certificate> clientCas, List<String> ciphers, String fingerprint) {}

    private final Map<String, Entry> exact;
    /** Keyed by the parent domain: {@code *.foo.com} is stored as {@code foo.com}. */
    private final Map<String, Entry> wildcard;

    private final Entry defaultEntry;
    /** The certificates by host as published, without the client-certificate hosts that only use the default. */
    private final Map<String, TlsCertificate> certificates;

    private SniTable(
            Map<String, Entry> exact,
            Map<String, Entry> wildcard,
            Entry defaultEntry,
            Map<String, TlsCertificate> certificates) {
        this.exact = exact;
        this.wildcard = wildcard;
        this.defaultEntry = defaultEntry;
        this.certificates = certificates;
    }

    /** Builds a table without client-certificate requests. */
    static SniTable of(Map<String, TlsCertificate> byHost, TlsCertificate defaultCertificate) {
        return of(byHost, defaultCertificate, Map.of());
    }

    /** Builds a table without per-host cipher lists. */
    static SniTable of(
            Map<String, TlsCertificate> byHost,
            TlsCertificate defaultCertificate,
            Map<String, List<X509Certificate>> clientCas) {
        return of(byHost, defaultCertificate, clientCas, Map.of());
    }

    /**
     * Builds a table; host keys are normalised, and keys that are neither a host nor {@code *.domain} are skipped.
     * A host of {@code clientCas} asks for a client certificate issued by those CAs, with the certificate it would get
     * anyway (its own, a wildcard's or the default). A host of {@code ciphers} offers those TLS 1.2 suites (ingress-nginx's
     * {@code ssl-ciphers}), with the certificate and client-certificate request it would have anyway.
     */
    static SniTable of(
            Map<String, TlsCertificate> byHost,
            TlsCertificate defaultCertificate,
            Map<String, List<X509Certificate>> clientCas,
            Map<String, List<String>> ciphers) {
        Entries entries = new Entries();
        Map<String, Entry> exact = new HashMap<>();
        Map<String, Entry> wildcard = new HashMap<>();
        for (Map.Entry<String, TlsCertificate> mapping : byHost.entrySet()) {
            String host = normalize(mapping.getKey());
            TlsCertificate certificate = Objects.requireNonNull(mapping.getValue(), () -> "certificate of " + host);
            Entry entry = entries.of(certificate, List.of(), List.of());
            if (!put(host, entry, exact, wildcard, SniTable::lowerId)) {
                // The translator validates hosts; this guards the table, it must not throw a whole publish away.
                LOG.warn(
                        "TLS host '{}' of {} is neither a host name nor '*.domain'; skipped",
                        mapping.getKey(),
                        mapping.getValue().id());
            }
        }
        Map<String, TlsCertificate> certificates = new HashMap<>();
        exact.forEach((host, entry) -> certificates.put(host, entry.certificate()));
        wildcard.forEach((domain, entry) -> certificates.put("*." + domain, entry.certificate()));
        Entry defaultEntry = entries.of(defaultCertificate, List.of(), List.of());
        for (Map.Entry<String, List<X509Certificate>> request : clientCas.entrySet()) {
            String host = normalize(request.getKey());
            List<X509Certificate> cas = request.getValue(); // one list per CA bundle: its digest is computed once
            if (cas.isEmpty()) {
                continue;
            }
            Entry base = host.startsWith("*.")
                    ? wildcard.getOrDefault(host.substring(2), defaultEntry)
                    : select(host, exact, wildcard, defaultEntry);
            if (!put(
                    host, entries.of(base.certificate(), cas, List.of()), exact, wildcard, (first, second) -> second)) {
                LOG.warn("client-certificate host '{}' is neither a host name nor '*.domain'; skipped", host);
            }
        }
        for (Map.Entry<String, List<String>> offer : ciphers.entrySet()) {
            String host = normalize(offer.getKey());
            if (offer.getValue().isEmpty()) {
                continue;
            }
            Entry base = host.startsWith("*.")
                    ? wildcard.getOrDefault(host.substring(2), defaultEntry)
                    : select(host, exact, wildcard, defaultEntry);
            Entry entry = entries.of(base.certificate(), base.clientCas(), offer.getValue());
            if (!put(host, entry, exact, wildcard, (first, second) -> second)) {
                LOG.warn("ssl-ciphers host '{}' is neither a host name nor '*.domain'; skipped", host);
            }
        }
        return new SniTable(Map.copyOf(exact), Map.copyOf(wildcard), defaultEntry, Map.copyOf(certificates));
    }

    /** Puts {@code entry} under an exact host or a {@code *.domain}; false when {@code host} is neither. */
    private static boolean put(
            String host,
            Entry entry,
            Map<String, Entry> exact,
            Map<String, Entry> wildcard,
            BinaryOperator<Entry> merge) {
        if (host.startsWith("*.") && host.indexOf('*', 1) < 0 && host.length() > 2) {
            wildcard.merge(host.substring(2), entry, merge);
            return true;
        }
        if (!host.isEmpty() && host.indexOf('*') < 0) {
            exact.merge(host, entry, merge);
            return true;
        }
        return false;
    }

    /** Entries made once per certificate, CA bundle and cipher list, fingerprints computed once per certificate. */
    private static final class Entries {
        private final Map<TlsCertificate, String> prints = new IdentityHashMap<>();
        private final Map<List<X509Certificate>, String> caDigests = new IdentityHashMap<>();
        private final Map<String, Entry> byFingerprint = new HashMap<>();

        Entry of(TlsCertificate certificate, List<X509Certificate> clientCas, List<String> ciphers) {
            String print = prints.computeIfAbsent(certificate, SniTable::fingerprint);
            String key = clientCas.isEmpty()
                    ? print
                    : print + "+client-ca:" + caDigests.computeIfAbsent(clientCas, CaCertificates::digest);
            if (!ciphers.isEmpty()) {
                key += "+ciphers:" + String.join(":", ciphers); // the names themselves: no collision possible
            }
            return byFingerprint.computeIfAbsent(
                    key, k -> new Entry(certificate, List.copyOf(clientCas), List.copyOf(ciphers), k));
        }
    }

    /** Every host key as published (normalised; wildcards as {@code *.domain}), the default excluded. */
    Map<String, TlsCertificate> certificates() {
        return certificates;
    }

    /** The entry for an SNI host name (any case, trailing dot allowed); {@code null} or unknown gives the default. */
    Entry select(@Nullable String hostname) {
        if (hostname == null) {
            return defaultEntry;
        }
        return select(normalize(hostname), exact, wildcard, defaultEntry);
    }

    private static Entry select(
            String host, Map<String, Entry> exact, Map<String, Entry> wildcard, Entry defaultEntry) {
        Entry entry = exact.get(host);
        if (entry != null) {
            return entry;
        }
        int dot = host.indexOf('.');
        if (dot > 0 && dot < host.length() - 1) {
            entry = wildcard.get(host.substring(dot + 1));
            if (entry != null) {
                return entry;
            }
        }
        return defaultEntry;
    }

    Entry defaultEntry() {
        return defaultEntry;
    }

    /** Every fingerprint this table can hand out, the default's included. */
    Set<String> fingerprints() {
        return Stream.concat(
                        Stream.concat(exact.values().stream(), wildcard.values().stream()), Stream.of(defaultEntry))
                .map(Entry::fingerprint)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Lower-cases and strips one trailing dot: {@code Foo.COM.} and {@code foo.com} are the same host. */
    static String normalize(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** Two keys that normalise to one host: keep the lower id, so the outcome never depends on map order. */
    private static Entry lowerId(Entry first, Entry second) {
        Entry winner = first.certificate().id().compareTo(second.certificate().id()) <= 0 ? first : second;
        if (first != second) {
            LOG.warn(
                    "TLS host named by both {} and {}; serving {}",
                    first.certificate().id(),
                    second.certificate().id(),
                    winner.certificate().id());
        }
        return winner;
    }

    private static String fingerprint(TlsCertificate certificate) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] key = certificate.key().getEncoded();
            if (key != null) {
                digest.update(key);
            }
            for (X509Certificate x509 : certificate.chain()) {
                digest.update(x509.getEncoded());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
