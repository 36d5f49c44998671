package dev.usher.routing;

import org.jspecify.annotations.Nullable;

/**
 * Finds the host name inside a raw {@code Host} header or authority without allocating.
 *
 * <p>The result is a region of the input, packed as {@code start << 32 | end}, or {@link #NO_HOST}. Lookups then
 * compare that region case-insensitively (ASCII only, as host names on the wire are ASCII or punycode) against
 * keys that {@link #normalizeRuleHost} lower-cased the same way, so no {@code substring} or {@code toLowerCase}
 * happens per request.
 *
 * <p>Normalisation (RFC 9110 section 7.2 / RFC 3986 section 3.2.2): surrounding blanks are ignored; an IPv6 literal
 * {@code [v6]} loses its brackets and anything after them; otherwise a {@code :port} suffix is dropped unless the
 * text holds several colons (a bare IPv6 address); then one trailing dot of a fully-qualified name is dropped.
 */
final class HostNormalizer {

    /** No usable host: {@code null}, empty, or only a port. */
    static final long NO_HOST = -1L;

    private HostNormalizer() {}

    static long region(@Nullable String host) {
        return host == null ? NO_HOST : region(host, 0, host.length());
    }

    static long region(String text, int from, int to) {
        int start = from;
        int end = to;
        while (start < end && isBlank(text.charAt(start))) {
            start++;
        }
        while (end > start && isBlank(text.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            return NO_HOST;
        }
        if (text.charAt(start) == '[') {
            int close = text.indexOf(']', start);
            if (close > start && close < end) {
                return close == start + 1 ? NO_HOST : pack(start + 1, close);
            }
            return pack(start, end); // malformed literal: matched as-is, which finds nothing
        }
        int colon = indexOf(text, ':', start, end);
        if (colon >= 0 && indexOf(text, ':', colon + 1, end) < 0) {
            end = colon;
        }
        if (end > start && text.charAt(end - 1) == '.') {
            end--;
        }
        return start == end ? NO_HOST : pack(start, end);
    }

    static int start(long region) {
        return (int) (region >>> 32);
    }

    static int end(long region) {
        return (int) region;
    }

    /** The normalised host as a new string, for explanations and logs (allocates). */
    static @Nullable String toString(@Nullable String text, long region) {
        if (region == NO_HOST || text == null) {
            return null;
        }
        return lowerAscii(text.substring(start(region), end(region)));
    }

    /**
     * Normalises a rule's host the way requests are normalised; {@code null} or blank means every host.
     * A wildcard keeps its {@code *.} prefix.
     */
    static @Nullable String normalizeRuleHost(@Nullable String host) {
        if (host == null) {
            return null;
        }
        long region = region(host);
        return region == NO_HOST ? null : lowerAscii(host.substring(start(region), end(region)));
    }

    static String lowerAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char[] chars = s.toCharArray();
                for (int j = i; j < chars.length; j++) {
                    chars[j] = lower(chars[j]);
                }
                return new String(chars);
            }
        }
        return s;
    }

    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /** Whether lower-case {@code key} equals the region {@code [start, end)} of {@code text}, ignoring ASCII case. */
    static boolean regionEquals(String key, String text, int start, int end) {
        int length = end - start;
        if (key.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (key.charAt(i) != lower(text.charAt(start + i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A hash of the lower-cased region, equal for a key and every differently-cased spelling of it. Computed right
     * to left so that {@link #hashes} gets the hash of the part after the first dot in the same pass.
     */
    static int hash(String text, int start, int end) {
        int h = 0;
        for (int i = end - 1; i >= start; i--) {
            h = 31 * h + lower(text.charAt(i));
        }
        return mix(h);
    }

    /**
     * In one pass: {@link #hash} of the region (high 32 bits) and of the part after its first dot (low 32 bits),
     * which is the key a one-label wildcard is stored under.
     */
    static long hashes(String text, int start, int end) {
        int h = 0;
        int suffix = 0;
        for (int i = end - 1; i >= start; i--) {
            char c = text.charAt(i);
            if (c == '.') {
                suffix = h; // each dot further left overwrites: what remains is the suffix after the first dot
            }
            h = 31 * h + lower(c);
        }
        return ((long) mix(h) << 32) | (mix(suffix) & 0xFFFFFFFFL);
    }

    private static int mix(int h) {
        return h ^ (h >>> 16);
    }

    /** The first {@code c} in {@code [from, to)}, or -1; {@link String#indexOf(int, int)} is an intrinsic. */
    static int indexOf(String text, char c, int from, int to) {
        int i = text.indexOf(c, from);
        return i < to ? i : -1;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static long pack(int start, int end) {
        return ((long) start << 32) | (end & 0xFFFFFFFFL);
    }
}
