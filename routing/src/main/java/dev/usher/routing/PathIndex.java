package dev.usher.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Indexed path matching for a host with many rules; gives exactly the answer of the linear scan in
 * {@link HostEntry} (longest match, then Exact, Prefix, ImplementationSpecific), without allocating.
 *
 * <p>Exact rules are found by hashing the whole path. A Prefix rule can only match at an element boundary, so the
 * path is hashed once from left to right and the Prefix table is probed at every {@code /} and at the end; the
 * last hit is the longest. An Exact hit ends the search: nothing can be longer, and Exact wins ties.
 * ImplementationSpecific rules, plain string prefixes of any length, are scanned longest first.
 */
final class PathIndex {

    private final Table exact;
    private final Table prefix;
    private final Route[] plain;

    /** @param rules sorted by {@link HostEntry#PRECEDENCE}, no two with the same type and key */
    PathIndex(Route[] rules) {
        List<Route> exactRules = new ArrayList<>();
        List<Route> prefixRules = new ArrayList<>();
        List<Route> plainRules = new ArrayList<>();
        for (Route rule : rules) {
            switch (Objects.requireNonNull(rule.pathType(), "an indexed rule has a path type")) {
                case EXACT -> exactRules.add(rule);
                case PREFIX -> prefixRules.add(rule);
                default -> plainRules.add(rule);
            }
        }
        exact = new Table(exactRules);
        prefix = new Table(prefixRules);
        plain = plainRules.toArray(new Route[0]);
    }

    /** The winning rule for the path {@code [start, end)} of {@code uri}, or {@code null}. */
    @Nullable
    Route route(String uri, int start, int end) {
        int h = 0;
        Route prefixHit = null;
        int prefixLength = -1;
        for (int i = start; ; i++) {
            if (i == end || uri.charAt(i) == '/') {
                Route hit = prefix.get(uri, start, i, h);
                if (hit != null) {
                    prefixHit = hit;
                    prefixLength = i - start;
                }
                if (i == end) {
                    break;
                }
            }
            h = 31 * h + uri.charAt(i);
        }
        Route exactHit = exact.get(uri, start, end, h);
        if (exactHit != null) {
            return exactHit;
        }
        for (Route rule : plain) {
            if (rule.matchLength() <= prefixLength) {
                break; // sorted longest first: no plain rule left can beat the Prefix hit (Prefix wins ties)
            }
            if (rule.matches(uri, start, end)) {
                return rule;
            }
        }
        return prefixHit;
    }

    /** Open addressing from a rule's match key to the rule; keys compared case-sensitively. */
    private static final class Table {
        private final String[] keys;
        private final Route[] routes;
        private final int mask;

        Table(List<Route> rules) {
            int capacity = Integer.highestOneBit(Math.max(4, rules.size() * 2 + 1) - 1) << 1;
            keys = new String[capacity];
            routes = new Route[capacity];
            mask = capacity - 1;
            for (Route rule : rules) {
                String key = Objects.requireNonNull(rule.matchKey(), "an indexed rule has a path");
                int h = 0;
                for (int i = 0; i < key.length(); i++) {
                    h = 31 * h + key.charAt(i);
                }
                int slot = mix(h) & mask;
                while (keys[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = key;
                routes[slot] = rule;
            }
        }

        @Nullable
        Route get(String text, int start, int end, int rawHash) {
            int slot = mix(rawHash) & mask;
            int length = end - start;
            String key;
            while ((key = keys[slot]) != null) {
                if (key.length() == length && text.regionMatches(start, key, 0, length)) {
                    return routes[slot];
                }
                slot = (slot + 1) & mask;
            }
            return null;
        }

        private static int mix(int h) {
            return h ^ (h >>> 16);
        }
    }
}
