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

    private final String pattern;
    private final Route[] rules;
    private final Route fallback;
    /** Built only for hosts with many rules, where a linear scan would cost more than hashing the path. */
    private final PathIndex index;

    HostEntry(String pattern, List<Route> rules, Route fallback) {
        this.pattern = pattern;
        this.rules = rules.toArray(new Route[0]);
        Arrays.sort(this.rules, PRECEDENCE);
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

    /** The linear scan the index must agree with. */
    Route scan(String uri, int start, int end) {
        for (Route rule : rules) {
            if (rule.matches(uri, start, end)) {
                return rule;
            }
        }
        return fallback;
    }

    List<Route> rules() {
        return List.of(rules);
    }

    Route fallback() {
        return fallback;
    }
}
