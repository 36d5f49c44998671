package dev.usher.routing;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The compiled rules of one host pattern (or of every host, for host-less rules) and where the host falls back.
 *
 * <p>Rules are sorted once, longest match length first and Exact before Prefix before ImplementationSpecific on
 * equal length, so the first rule that matches is the winner the Kubernetes "multiple matches" rule asks for.
 * Conflicts were resolved before, so no two rules share a length, a type and a match.
 *
 * <p>Layout: at 10,000 hosts a lookup's cost is its cache misses, so everything a lookup compares lives in one
 * {@code char[]}: the key this entry is indexed under, then per rule its rank, key length and key. A hit touches
 * this object, that array and the winning {@link Route}, nothing else.
 */
final class HostEntry {

    static final Comparator<Route> PRECEDENCE =
            Comparator.comparingInt(Route::matchLength).reversed().thenComparingInt(Route::typeRank);

    /**
     * ingress-nginx's order of regex locations: the path as written, longest first; equal lengths keep the order the
     * compiler added them in (oldest Ingress first, then manifest order), as its stable sort does.
     */
    static final Comparator<Route> REGEX_ORDER = Comparator.comparingInt(
                    (Route r) -> Objects.requireNonNull(r.path()).length())
            .reversed();

    /** Above this many rules a host gets a {@link PathIndex}; below it, scanning a few routes is faster. */
    static final int INDEX_THRESHOLD = 8;

    /** {@link PathType#ordinal()} values, as compile-time constants for the switch below. */
    private static final int RANK_EXACT = 0;

    private static final int RANK_PREFIX = 1;

    private final @Nullable String pattern;
    private final Route[] rules;
    /** [key length (2 chars), key, then per rule: rank, key length (2 chars), key]. Lengths are 32-bit. */
    private final char[] data;

    private final int rulesFrom;
    private final Route fallback;
    /** Built only for hosts with many rules, where a linear scan would cost more than hashing the path. */
    private final @Nullable PathIndex index;
    /** Whether the host is in regex mode: every rule is a regex, the first match in {@link #REGEX_ORDER} wins. */
    private final boolean regex;

    /**
     * @param pattern the normalised host pattern, {@code null} for host-less rules
     * @param indexKey the lower-case key the entry is found under ({@code foo.com} for {@code *.foo.com})
     */
    HostEntry(@Nullable String pattern, String indexKey, List<Route> rules, Route fallback) {
        this(pattern, indexKey, rules, fallback, false);
    }

    /** @param regex whether every rule is a {@link RegexPath} (its {@link Route#regex()} is set) */
    HostEntry(@Nullable String pattern, String indexKey, List<Route> rules, Route fallback, boolean regex) {
        this.pattern = pattern;
        this.regex = regex;
        this.rules = rules.toArray(new Route[0]);
        Arrays.sort(this.rules, regex ? REGEX_ORDER : PRECEDENCE);
        this.fallback = fallback;
        this.index = !regex && this.rules.length > INDEX_THRESHOLD ? new PathIndex(this.rules) : null;
        int size = 2 + indexKey.length();
        for (Route rule : this.rules) {
            size += 3 + key(rule).length();
        }
        data = new char[size];
        int at = putKey(0, indexKey);
        rulesFrom = at;
        for (Route rule : this.rules) {
            data[at] = (char) rule.typeRank();
            at = putKey(at + 1, key(rule));
        }
    }

    /** What {@link #data} holds for a rule: its match key, or for a regex rule the literal prefix, lower-case. */
    private String key(Route rule) {
        // rules, not defaults: each has a match key, and in regex mode its regex
        return regex ? Objects.requireNonNull(rule.regexPath()).prefix() : Objects.requireNonNull(rule.matchKey());
    }

    /** Writes {@code key}'s 32-bit length as two chars, then its chars; returns the next free index. */
    private int putKey(int at, String key) {
        data[at] = (char) (key.length() >>> 16);
        data[at + 1] = (char) key.length();
        key.getChars(0, key.length(), data, at + 2);
        return at + 2 + key.length();
    }

    private int length(int at) {
        return (data[at] << 16) | data[at + 1];
    }

    /** This entry found under another key: a {@code server-alias} of its host ({@link ServerAliases}). */
    HostEntry alias(String indexKey) {
        return new HostEntry(pattern, indexKey, Arrays.asList(rules), fallback, regex);
    }

    /** The normalised host pattern, {@code null} for host-less rules. */
    @Nullable
    String pattern() {
        return pattern;
    }

    /** Whether this entry's index key equals {@code text[start, end)} ignoring ASCII case. */
    boolean keyEquals(String text, int start, int end) {
        int length = end - start;
        if (length(0) != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (data[2 + i] != HostNormalizer.lower(text.charAt(start + i))) {
                return false;
            }
        }
        return true;
    }

    /** The best rule for the path {@code [start, end)} of {@code uri}, else this host's fallback. */
    Route route(String uri, int start, int end) {
        if (regex) {
            return regexScan(uri, start, end);
        }
        if (index != null) {
            Route rule = index.route(uri, start, end);
            return rule != null ? rule : fallback;
        }
        return scan(uri, start, end);
    }

    /** The linear scan, longest rule first; also what {@link PathIndex} must agree with. */
    Route scan(String uri, int start, int end) {
        int length = end - start;
        int at = rulesFrom;
        for (Route rule : rules) {
            int rank = data[at];
            int keyLength = length(at + 1);
            int keyFrom = at + 3;
            if (keyLength <= length
                    && regionEquals(uri, start, keyFrom, keyLength)
                    && boundary(rank, uri, start, length, keyLength)) {
                return rule;
            }
            at = keyFrom + keyLength;
        }
        return fallback;
    }

    /** nginx's regex locations: the first rule in {@link #REGEX_ORDER} whose regex matches, else the fallback. */
    private Route regexScan(String uri, int start, int end) {
        int length = end - start;
        int at = rulesFrom;
        CharSequence path = null; // made once, for the first rule whose literal prefix matches
        for (Route rule : rules) {
            int keyLength = length(at + 1);
            int keyFrom = at + 3;
            if (keyLength <= length && mayStartWith(uri, start, keyFrom, keyLength)) {
                if (path == null) {
                    path = start == 0 && end == uri.length() ? uri : uri.subSequence(start, end);
                }
                if (Objects.requireNonNull(rule.regexPath()).match(path) != null) { // regex mode: every rule has one
                    return rule;
                }
            }
            at = keyFrom + keyLength;
        }
        return fallback;
    }

    /**
     * Whether the path may start with a regex rule's lower-case literal prefix: ASCII compared ignoring case, any
     * non-ASCII request character left to the engine (Unicode case folding).
     */
    private boolean mayStartWith(String uri, int start, int keyFrom, int keyLength) {
        for (int i = 0; i < keyLength; i++) {
            char c = uri.charAt(start + i);
            if (c >= 0x80) {
                return true;
            }
            if (HostNormalizer.lower(c) != data[keyFrom + i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the host is in regex mode. */
    boolean regex() {
        return regex;
    }

    /** The same decision as {@link Route#matches} once the key matched the start of the path. */
    private static boolean boundary(int rank, String uri, int start, int length, int keyLength) {
        return switch (rank) {
            case RANK_EXACT -> length == keyLength;
            case RANK_PREFIX -> length == keyLength || uri.charAt(start + keyLength) == '/';
            default -> true;
        };
    }

    private boolean regionEquals(String uri, int start, int keyFrom, int keyLength) {
        for (int i = 0; i < keyLength; i++) {
            if (data[keyFrom + i] != uri.charAt(start + i)) {
                return false;
            }
        }
        return true;
    }

    List<Route> rules() {
        return List.of(rules);
    }

    /** Appends the rules, in precedence order, without an intermediate copy. */
    void addRulesTo(List<Route> routes) {
        for (Route rule : rules) {
            routes.add(rule);
        }
    }

    Route fallback() {
        return fallback;
    }
}
