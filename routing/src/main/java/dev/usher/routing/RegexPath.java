package dev.usher.routing;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One path of a host in regex mode, compiled once per snapshot: ingress-nginx's {@code location ~* "^<path>"}.
 *
 * <p>The engine is RE2/J: matching is linear in the path's length whatever the pattern, so no Ingress author can make
 * the event loop backtrack. What PCRE accepts and RE2 refuses (backreferences, lookaround, possessive quantifiers) is
 * refused by {@link #problem}. The pattern is {@code ^} followed by the path as written, case-insensitive, searched
 * with {@link Matcher#find()}, exactly as nginx evaluates the location (so {@code /a|/b} is {@code ^/a} or
 * {@code /b} anywhere, as in nginx).
 *
 * <p>Most regex paths start with a literal ({@code /api(/|$)(.*)}): that prefix is kept and compared first, ASCII
 * case-insensitively, so a host with many regex paths runs the engine only on paths that can match.
 */
final class RegexPath {

    private static final String META = "\\.[]{}()*+?^$|";

    private final Pattern pattern;
    /** The ASCII lower-case literal every match starts with; may be empty. */
    private final String prefix;

    private RegexPath(Pattern pattern, String prefix) {
        this.pattern = pattern;
        this.prefix = prefix;
    }

    /** Compiles {@code path}; throws {@link IllegalArgumentException} with RE2's reason when it cannot. */
    static RegexPath compile(String path) {
        try {
            return new RegexPath(BoundedRegex.compile("^" + path, Pattern.CASE_INSENSITIVE), literalPrefix(path));
        } catch (RuntimeException e) { // com.google.re2j.PatternSyntaxException
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Why {@code path} cannot be a regex path (RE2 syntax), or {@code null} when it can. */
    static @Nullable String problem(String path) {
        try {
            compile(path);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The ASCII lower-case literal every match starts with; may be empty. */
    String prefix() {
        return prefix;
    }

    /** The pattern as nginx would write it: {@code ~* "^<path>"}. */
    String expression() {
        return "~* \"" + pattern.pattern() + "\"";
    }

    /**
     * Whether the path {@code [start, end)} of {@code uri} starts with the literal prefix, checked on {@code uri}
     * itself: a path that cannot match costs no allocation. {@code true} means "run the engine".
     */
    boolean mayMatch(String uri, int start, int end) {
        int length = prefix.length();
        if (end - start < length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = uri.charAt(start + i);
            if (c >= 0x80) {
                return true; // Unicode case folding: leave it to the engine
            }
            if (HostNormalizer.lower(c) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A matcher positioned on the first match in {@code path}, or {@code null} when none. */
    @Nullable
    Matcher match(CharSequence path) {
        Matcher matcher = pattern.matcher(path);
        return matcher.find() ? matcher : null;
    }

    /** Whether {@code path} (the whole request path, no query) matches. */
    boolean matches(String uri, int start, int end) {
        return mayMatch(uri, start, end) && match(uri.subSequence(start, end)) != null;
    }

    /**
     * The literal text every match must start with, ASCII lower-case: the characters before the first
     * metacharacter, less the last one when a quantifier follows it; empty when the pattern has a top-level
     * alternation ({@code |} outside parentheses) or a non-ASCII character comes first.
     */
    static String literalPrefix(String path) {
        int depth = 0;
        boolean escaped = false;
        boolean inClass = false;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (inClass) {
                inClass = c != ']';
            } else if (c == '[') {
                inClass = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                return "";
            }
        }
        int end = 0;
        while (end < path.length() && META.indexOf(path.charAt(end)) < 0 && path.charAt(end) < 0x80) {
            end++;
        }
        if (end < path.length() && "*?{".indexOf(path.charAt(end)) >= 0 && end > 0) {
            end--; // the quantifier applies to the last literal character
        }
        StringBuilder lower = new StringBuilder(end);
        for (int i = 0; i < end; i++) {
            lower.append(HostNormalizer.lower(path.charAt(i)));
        }
        return lower.toString();
    }

    /**
     * nginx's rewrite of the whole path: {@code target} with {@code $0}..{@code $9} replaced by the groups of
     * {@code match} (an absent or unmatched group is empty), a leading {@code /} added when missing. {@code match}
     * may be {@code null} only when {@code target} holds no {@code $}.
     */
    static String substitute(String target, @Nullable Matcher match) {
        StringBuilder out = new StringBuilder(target.length() + 32);
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '$' && i + 1 < target.length() && isDigit(target.charAt(i + 1))) {
                int group = target.charAt(++i) - '0';
                Objects.requireNonNull(match, "a target with $n needs a match");
                if (group <= match.groupCount() && match.start(group) >= 0) {
                    out.append(match.group(group));
                }
            } else {
                out.append(c);
            }
        }
        if (out.length() == 0 || out.charAt(0) != '/') {
            out.insert(0, '/');
        }
        return out.toString();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
