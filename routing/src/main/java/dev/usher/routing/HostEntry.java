package dev.usher.routing;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The compiled rules of one host pattern (or of every host, for host-less rules) and where the host falls back.
 *
 * <p>Rules are sorted once, longest match length first and Exact before Prefix before ImplementationSpecific on
 * equal length, so the first rule that matches is the winner the Kubernetes "multiple matches" rule asks for.
 * Conflicts were resolved before, so no two rules share a length, a type and a match.
 */
final class HostEntry {

    static final Comparator<Route> PRECEDENCE = Comparator.comparingInt(Route::matchLength).reversed()
            .thenComparingInt(Route::typeRank);

    /** Above this many rules a host gets a {@link PathIndex}; below it, scanning a few routes is faster. */
    static final int INDEX_THRESHOLD = 8;

    /** {@link PathType#ordinal()} values, as compile-time constants for the switch below. */
    private static final int RANK_EXACT = 0;
    private static final int RANK_PREFIX = 1;

    private final String pattern;
    private final Route[] rules;
    /** The rules' match keys, concatenated: rule {@code r} is {@code keyChars[keyStart[r], keyStart[r + 1])}. */
    private final char[] keyChars;
    private final int[] keyStart;
    private final byte[] ranks;
    private final Route fallback;
    /** Built only for hosts with many rules, where a linear scan would cost more than hashing the path. */
    private final PathIndex index;

    HostEntry(String pattern, List<Route> rules, Route fallback) {
        this.pattern = pattern;
        this.rules = rules.toArray(new Route[0]);
        Arrays.sort(this.rules, PRECEDENCE);
        // Flat copies of what the scan compares, so that it touches no Route or String but the winner.
        StringBuilder chars = new StringBuilder();
        keyStart = new int[this.rules.length + 1];
        ranks = new byte[this.rules.length];
        for (int r = 0; r < this.rules.length; r++) {
            chars.append(this.rules[r].matchKey());
            keyStart[r + 1] = chars.length();
            ranks[r] = (byte) this.rules[r].typeRank();
        }
        keyChars = chars.toString().toCharArray();
        this.fallback = fallback;
        this.index = this.rules.length > INDEX_THRESHOLD ? new PathIndex(this.rules) : null;
    }

    /** The normalised host pattern, {@code null} for host-less rules. */
    String pattern() {
        return pattern;
    }

    /** The best rule for the path {@code [start, end)} of {@code uri}, else this host's fallback. */
    Route route(String uri, int start, int end) {
        if (index != null) {
            Route rule = index.route(uri, start, end);
            return rule != null ? rule : fallback;
        }
        return scan(uri, start, end);
    }

    /** The linear scan, longest rule first; also what {@link PathIndex} must agree with. */
    Route scan(String uri, int start, int end) {
        int length = end - start;
        for (int r = 0; r < ranks.length; r++) {
            int keyFrom = keyStart[r];
            int keyLength = keyStart[r + 1] - keyFrom;
            if (keyLength <= length && regionEquals(uri, start, keyFrom, keyLength) && boundary(r, uri, start,
                    length, keyLength)) {
                return rules[r];
            }
        }
        return fallback;
    }

    /** The same decision as {@link Route#matches} once the key matched the start of the path. */
    private boolean boundary(int r, String uri, int start, int length, int keyLength) {
        return switch (ranks[r]) {
            case RANK_EXACT -> length == keyLength;
            case RANK_PREFIX -> length == keyLength || uri.charAt(start + keyLength) == '/';
            default -> true;
        };
    }

    private boolean regionEquals(String uri, int start, int keyFrom, int keyLength) {
        for (int i = 0; i < keyLength; i++) {
            if (keyChars[keyFrom + i] != uri.charAt(start + i)) {
                return false;
            }
        }
        return true;
    }

    List<Route> rules() {
        return List.of(rules);
    }

    Route fallback() {
        return fallback;
    }
}
