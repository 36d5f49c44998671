package dev.usher.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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

    /** A certificate and its content fingerprint, the key of its cached context. */
    record Entry(TlsCertificate certificate, String fingerprint) {}

    private final Map<String, Entry> exact;
    /** Keyed by the parent domain: {@code *.foo.com} is stored as {@code foo.com}. */
    private final Map<String, Entry> wildcard;

    private final Entry defaultEntry;

    private SniTable(Map<String, Entry> exact, Map<String, Entry> wildcard, Entry defaultEntry) {
        this.exact = exact;
        this.wildcard = wildcard;
        this.defaultEntry = defaultEntry;
    }

    /** Builds a table; host keys are normalised, and keys that are neither a host nor {@code *.domain} are skipped. */
    static SniTable of(Map<String, TlsCertificate> byHost, TlsCertificate defaultCertificate) {
        Map<TlsCertificate, Entry> entries = new IdentityHashMap<>();
        Map<String, Entry> exact = new HashMap<>();
        Map<String, Entry> wildcard = new HashMap<>();
        for (Map.Entry<String, TlsCertificate> mapping : byHost.entrySet()) {
            String host = normalize(mapping.getKey());
            TlsCertificate certificate = Objects.requireNonNull(mapping.getValue(), () -> "certificate of " + host);
            Entry entry = entries.computeIfAbsent(certificate, SniTable::entry);
            if (host.startsWith("*.") && host.indexOf('*', 1) < 0 && host.length() > 2) {
                wildcard.merge(host.substring(2), entry, SniTable::lowerId);
            } else if (!host.isEmpty() && host.indexOf('*') < 0) {
                exact.merge(host, entry, SniTable::lowerId);
            } else {
                // The translator validates hosts; this guards the table, it must not throw a whole publish away.
                LOG.warn(
                        "TLS host '{}' of {} is neither a host name nor '*.domain'; skipped",
                        mapping.getKey(),
                        mapping.getValue().id());
            }
        }
        Entry defaultEntry = entries.computeIfAbsent(defaultCertificate, SniTable::entry);
        return new SniTable(Map.copyOf(exact), Map.copyOf(wildcard), defaultEntry);
    }

    /** Every host key as published (normalised; wildcards as {@code *.domain}), the default excluded. */
    Map<String, TlsCertificate> certificates() {
        Map<String, TlsCertificate> all = new HashMap<>();
        exact.forEach((host, entry) -> all.put(host, entry.certificate()));
        wildcard.forEach((domain, entry) -> all.put("*." + domain, entry.certificate()));
        return Map.copyOf(all);
    }

    /** The entry for an SNI host name (any case, trailing dot allowed); {@code null} or unknown gives the default. */
    Entry select(@Nullable String hostname) {
        if (hostname == null) {
            return defaultEntry;
        }
        String host = normalize(hostname);
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

    private static Entry entry(TlsCertificate certificate) {
        return new Entry(certificate, fingerprint(certificate));
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
