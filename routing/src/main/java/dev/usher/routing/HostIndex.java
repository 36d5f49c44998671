package dev.usher.routing;

import java.util.Map;

/**
 * An immutable open-addressing map from lower-case host to {@link HostEntry}, queried with a region of the raw
 * request host so that a lookup neither lower-cases nor copies it.
 *
 * <p>Laid out for few dependent memory loads, which dominate at 10,000 hosts: the full hashes sit in an
 * {@code int[]} and are compared first, and the key itself is stored inside the entry's own data array
 * ({@link HostEntry#keyEquals}), which a hit reads next anyway.
 */
final class HostIndex {

    private final int[] hashes;
    private final HostEntry[] values;
    private final int mask;

    /** @param entries by the lower-case key each entry was built with */
    HostIndex(Map<String, HostEntry> entries) {
        int capacity = Integer.highestOneBit(Math.max(4, entries.size() * 2 + 1) - 1) << 1; // load factor <= 0.5
        hashes = new int[capacity];
        values = new HostEntry[capacity];
        mask = capacity - 1;
        entries.forEach((key, value) -> {
            int hash = HostNormalizer.hash(key, 0, key.length());
            int slot = hash & mask;
            while (values[slot] != null) {
                slot = (slot + 1) & mask;
            }
            hashes[slot] = hash;
            values[slot] = value;
        });
    }

    /** The entry whose key equals {@code text[start, end)} ignoring ASCII case, or {@code null}. */
    HostEntry get(String text, int start, int end) {
        return get(text, start, end, HostNormalizer.hash(text, start, end));
    }

    /** As {@link #get(String, int, int)}, with the region's {@link HostNormalizer#hash} already computed. */
    HostEntry get(String text, int start, int end, int hash) {
        int slot = hash & mask;
        HostEntry entry;
        while ((entry = values[slot]) != null) {
            if (hashes[slot] == hash && entry.keyEquals(text, start, end)) {
                return entry;
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }
}
