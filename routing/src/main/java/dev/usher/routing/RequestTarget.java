package dev.usher.routing;

/**
 * Splits an HTTP request target (RFC 9112 section 3.2) into authority, path and query without allocating.
 *
 * <p>Origin form ({@code /path?query}) is the normal case. Absolute form ({@code http://host:port/path?query}) is
 * accepted too: its authority then wins over the {@code Host} header (RFC 9112 section 3.2.2). Anything else
 * ({@code *}, authority form) has no path that a rule could match.
 */
final class RequestTarget {

    private RequestTarget() {}

    /** Index where the path starts: 0 for origin form, just after the authority for absolute form. */
    static int pathStart(String uri) {
        if (uri.isEmpty() || uri.charAt(0) == '/') {
            return 0;
        }
        int authority = authorityStart(uri);
        return authority < 0 ? 0 : authorityEnd(uri, authority);
    }

    /** Index where the path ends: at the {@code ?} that starts the query, or the end of {@code uri}. */
    static int pathEnd(String uri, int pathStart) {
        int query = uri.indexOf('?', pathStart);
        return query < 0 ? uri.length() : query;
    }

    /** The host region of an absolute-form target's authority, or {@link HostNormalizer#NO_HOST}. */
    static long authorityHost(String uri) {
        if (uri.isEmpty() || uri.charAt(0) == '/') {
            return HostNormalizer.NO_HOST;
        }
        int start = authorityStart(uri);
        if (start < 0) {
            return HostNormalizer.NO_HOST;
        }
        int end = authorityEnd(uri, start);
        int at = uri.lastIndexOf('@', end - 1);
        if (at >= start) {
            start = at + 1; // drop userinfo
        }
        return HostNormalizer.region(uri, start, end);
    }

    private static int authorityStart(String uri) {
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            return 7;
        }
        if (uri.regionMatches(true, 0, "https://", 0, 8)) {
            return 8;
        }
        return -1;
    }

    private static int authorityEnd(String uri, int from) {
        for (int i = from; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return uri.length();
    }
}
