package dev.usher.routing;

import java.util.Map;

/**
 * An immutable open-addressing map from lower-case host to {@link HostEntry}, queried with a region of the raw
 * request host so that a lookup neither lower-cases nor copies it.
 *
 * <p>Laid out for few dependent memory loads, which dominate at 10,000 hosts: the full hashes sit in an
 * {@code int[]} and are compared first, so a probe touches a key only when its hash matches, and keys are
 * {@code char[]} rather than {@code String}, one indirection less.
 */
final class HostIndex {

    private final int[] hashes;
    private final char[][] keys;
    private final HostEntry[] values;
    private final int mask;

    HostIndex(Map<String, HostEntry> entries) {
        int capacity = Integer.highestOneBit(Math.max(4, entries.size() * 2 + 1) - 1) << 1; // load factor <= 0.5
        hashes = new int[capacity];
        keys = new char[capacity][];
        values = new HostEntry[capacity];
        mask = capacity - 1;
        entries.forEach((key, value) -> {
            int hash = HostNormalizer.hash(key, 0, key.length());
            int slot = hash & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            hashes[slot] = hash;
            keys[slot] = key.toCharArray();
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
        char[] key;
        while ((key = keys[slot]) != null) {
            if (hashes[slot] == hash && equalsIgnoringCase(key, text, start, end)) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    private static boolean equalsIgnoringCase(char[] key, String text, int start, int end) {
        if (key.length != end - start) {
            return false;
        }
        for (int i = 0; i < key.length; i++) {
            if (key[i] != HostNormalizer.lower(text.charAt(start + i))) {
                return false;
            }
        }
        return true;
    }
}
