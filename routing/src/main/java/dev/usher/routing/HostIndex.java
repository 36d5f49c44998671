package dev.usher.routing;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An immutable open-addressing map from lower-case host to {@link HostEntry}, queried with a region of the raw
 * request host so that a lookup neither lower-cases nor copies it.
 *
 * <p>Laid out for few dependent memory loads, which dominate at 10,000 hosts: the full hashes sit in an
 * {@code int[]} (0 meaning empty) and are compared first, and the key itself is stored inside the entry's own
 * data array ({@link HostEntry#keyEquals}), which a hit reads next anyway.
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
            int hash = nonZero(HostNormalizer.hash(key, 0, key.length()));
            int slot = hash & mask;
            while (hashes[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            hashes[slot] = hash;
            values[slot] = value;
        });
    }

    /** The entry whose key equals {@code text[start, end)} ignoring ASCII case, or {@code null}. */
    @Nullable
    HostEntry get(String text, int start, int end) {
        return get(text, start, end, HostNormalizer.hash(text, start, end));
    }

    /** As {@link #get(String, int, int)}, with the region's {@link HostNormalizer#hash} already computed. */
    @Nullable
    HostEntry get(String text, int start, int end, int hash) {
        int wanted = nonZero(hash);
        int slot = wanted & mask;
        int stored;
        // probes read only the int[]: a miss never touches an entry, a hit touches only the one it returns
        while ((stored = hashes[slot]) != 0) {
            if (stored == wanted) {
                HostEntry entry = values[slot];
                if (entry.keyEquals(text, start, end)) {
                    return entry;
                }
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    /** 0 marks an empty slot, so no stored hash may be 0. */
    private static int nonZero(int hash) {
        return hash == 0 ? 1 : hash;
    }
}
