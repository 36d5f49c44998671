package dev.usher.routing;

import java.util.Map;

/**
 * An immutable open-addressing map from lower-case host to {@link HostEntry}, queried with a region of the raw
 * request host so that a lookup neither lower-cases nor copies it.
 */
final class HostIndex {

    private final String[] keys;
    private final HostEntry[] values;
    private final int mask;

    HostIndex(Map<String, HostEntry> entries) {
        int capacity = Integer.highestOneBit(Math.max(4, entries.size() * 2 + 1) - 1) << 1; // load factor <= 0.5
        keys = new String[capacity];
        values = new HostEntry[capacity];
        mask = capacity - 1;
        entries.forEach((key, value) -> {
            int slot = HostNormalizer.hash(key, 0, key.length()) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
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
        String key;
        while ((key = keys[slot]) != null) {
            if (HostNormalizer.regionEquals(key, text, start, end)) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }
}
