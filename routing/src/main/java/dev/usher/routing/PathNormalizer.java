package dev.usher.routing;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Normalises the path of an origin-form request target before it is routed, rewritten and forwarded, as nginx does.
 *
 * <p>Rules, in order: (1) percent-escapes of unreserved characters ({@code ALPHA DIGIT - . _ ~}, RFC 3986 §2.3) are
 * decoded and the hex digits of every other escape are upper-cased (RFC 3986 §6.2.2.1, §6.2.2.2); {@code %2F} stays
 * encoded and is never a separator, and nothing is decoded twice; (2) empty segments are dropped, so repeated slashes
 * merge (nginx {@code merge_slashes on}); (3) dot segments are removed (RFC 3986 §5.2.4), a {@code ..} removing the
 * previous non-empty segment; a path that ends in {@code /}, {@code .} or {@code ..} keeps a trailing {@code /}.
 * A path that climbs above {@code /}, or holds a malformed escape ({@code %} not followed by two hex digits), is
 * invalid: nginx answers 400 to both. The query string (from the first {@code ?}) is kept byte for byte.
 *
 * <p>Design: most paths need no change, so a scan without allocation decides that and returns the argument itself;
 * only a path that changes is rebuilt. Bytes at or above 0x80 pass through untouched.
 */
public final class PathNormalizer {

    private PathNormalizer() {}

    /**
     * The normalised form of an origin-form request target ({@code /path?query}): {@code target} itself when nothing
     * changes, else a new string with the same query; {@code null} when the target is invalid (does not start with
     * {@code /}, climbs above the root, or has a malformed percent-escape).
     */
    public static @Nullable String normalize(String target) {
        Objects.requireNonNull(target, "target");
        if (target.isEmpty() || target.charAt(0) != '/') {
            return null;
        }
        int end = target.indexOf('?');
        if (end < 0) {
            end = target.length();
        }
        if (isNormal(target, end)) {
            return target;
        }
        String escapes = canonicalEscapes(target, end);
        if (escapes == null) {
            return null;
        }
        String path = removeDotSegments(escapes, false);
        return path == null ? null : end == target.length() ? path : path + target.substring(end);
    }

    /**
     * Only rule (1) of {@link PathNormalizer}, for rule paths: unreserved escapes decoded, other escapes upper-cased,
     * so a rule compares equal to the normalised request paths it is meant to match. Returns {@code path} itself when
     * nothing changes; a malformed escape is left as written (such a rule can match no valid request).
     */
    public static String normalizeEscapes(String path) {
        Objects.requireNonNull(path, "path");
        if (path.indexOf('%') < 0) {
            return path;
        }
        String canonical = canonicalEscapes(path, path.length());
        return canonical == null || canonical.equals(path) ? path : canonical;
    }

    /**
     * True when {@link #normalize} would return {@code target} unchanged. Allocation-free, and built from
     * {@link String#indexOf} searches (vectorised intrinsics) that a clean path survives in one pass each: no
     * {@code %} to decode or upper-case, no {@code //}, no {@code /.} that starts a dot segment. An occurrence at or
     * after {@code end} is in the query, which is never touched.
     */
    private static boolean isNormal(String target, int end) {
        for (int i = target.indexOf('%'); i >= 0 && i < end; i = target.indexOf('%', i + 3)) {
            if (i + 2 >= end) {
                return false;
            }
            char high = target.charAt(i + 1);
            char low = target.charAt(i + 2);
            int value = hex(high) << 4 | hex(low);
            if (value < 0 || isLowerHex(high) || isLowerHex(low) || isUnreserved(value)) {
                return false;
            }
        }
        int slashes = target.indexOf("//");
        if (slashes >= 0 && slashes < end) {
            return false;
        }
        for (int i = target.indexOf("/."); i >= 0 && i < end; i = target.indexOf("/.", i + 2)) {
            if (isDotSegment(target, i + 1, end)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the segment starting at {@code from} (just after a {@code /}) is {@code .} or {@code ..}. */
    private static boolean isDotSegment(String s, int from, int end) {
        int segmentEnd = from;
        while (segmentEnd < end && s.charAt(segmentEnd) != '/') {
            segmentEnd++;
        }
        int length = segmentEnd - from;
        return length == 1 || length == 2 && s.charAt(from + 1) == '.';
    }

    /** Rule (1) over {@code [0, end)}; {@code null} on a malformed escape. */
    private static @Nullable String canonicalEscapes(String s, int end) {
        StringBuilder out = new StringBuilder(end);
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= end) {
                return null;
            }
            int value = hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2));
            if (value < 0) {
                return null;
            }
            if (isUnreserved(value)) {
                out.append((char) value);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(s.charAt(i + 1)))
                        .append(Character.toUpperCase(s.charAt(i + 2)));
            }
            i += 2;
        }
        return out.toString();
    }

    /**
     * A path a regex rewrite produced ({@code /} first, no query), normalised like a request path except that a
     * {@code ..} above the root is dropped (RFC 3986 §5.2.4) instead of making the path invalid: a capture can hold
     * {@code ..} ({@code /(..)x} on {@code /..x}), and the result must never climb out of the origin's root. A
     * malformed escape (a capture cannot make one) gives {@code /}.
     */
    static String normalizeRewritten(String path) {
        if (isNormal(path, path.length())) {
            return path;
        }
        String escapes = canonicalEscapes(path, path.length());
        // clamped, removeDotSegments never gives null
        return escapes == null ? "/" : Objects.requireNonNull(removeDotSegments(escapes, true));
    }

    /**
     * Rules (2) and (3) on a path that starts with {@code /}; when it climbs above the root, {@code null}, or with
     * {@code clamp} the root's parent is the root.
     */
    private static @Nullable String removeDotSegments(String path, boolean clamp) {
        StringBuilder out = new StringBuilder(path.length());
        boolean directory = false;
        int start = 1;
        while (true) {
            int slash = path.indexOf('/', start);
            int segmentEnd = slash < 0 ? path.length() : slash;
            int length = segmentEnd - start;
            boolean dot = length == 1 && path.charAt(start) == '.';
            boolean dotDot = length == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.';
            if (dotDot) {
                if (out.length() > 0) {
                    out.setLength(out.lastIndexOf("/"));
                } else if (!clamp) {
                    return null;
                }
            } else if (length > 0 && !dot) {
                out.append(path, start - 1, segmentEnd);
            }
            if (slash < 0) {
                directory = length == 0 || dot || dotDot;
                break;
            }
            start = slash + 1;
        }
        if (out.length() == 0 || directory) {
            out.append('/');
        }
        return out.toString();
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -0x100; // negative even after << 4 | another digit
    }

    private static boolean isLowerHex(char c) {
        return c >= 'a' && c <= 'f';
    }

    /** RFC 3986 §2.3: ALPHA / DIGIT / "-" / "." / "_" / "~". */
    private static boolean isUnreserved(int c) {
        return c >= 'a' && c <= 'z'
                || c >= 'A' && c <= 'Z'
                || c >= '0' && c <= '9'
                || c == '-'
                || c == '.'
                || c == '_'
                || c == '~';
    }
}
