package dev.usher.routing;

import org.jspecify.annotations.Nullable;

/**
 * Applies {@code usher.dev/rewrite-target} to a request target.
 *
 * <p>For Prefix (and ImplementationSpecific) rules this is Gateway API's {@code ReplacePrefixMatch}: the matched
 * prefix, compared without trailing slashes on either side, is replaced, and what followed it is kept, so
 * {@code /foo -> /xyz} sends {@code /foo/bar} to {@code /xyz/bar} and {@code /foo -> /} sends {@code /foo} to
 * {@code /}. For Exact rules the whole path is replaced. The query string is always kept as received. The result
 * is always origin form, even when the request target was absolute form.
 */
final class Rewrite {

    private Rewrite() {}

    /** The prefix target as compared and concatenated: trailing slashes dropped, a leading slash added. */
    static String prefixTarget(String target) {
        return stripTrailingSlashes(absolute(target));
    }

    /** The exact target: the path sent as-is, {@code /} when empty. */
    static String exactTarget(String target) {
        String absolute = absolute(target);
        return absolute.isEmpty() ? "/" : absolute;
    }

    static String stripTrailingSlashes(String path) {
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(0, end);
    }

    /**
     * Rewrites {@code uri}, whose path matched a rule by {@code matchedLength} characters (trailing slash excluded).
     *
     * @param exactTarget for an Exact rule, the replacement path; else {@code null}
     * @param prefixTarget for a prefix rule, the replacement prefix without trailing slash
     */
    static String apply(String uri, int matchedLength, @Nullable String exactTarget, @Nullable String prefixTarget) {
        int pathStart = RequestTarget.pathStart(uri);
        int pathEnd = RequestTarget.pathEnd(uri, pathStart);
        String query = uri.substring(pathEnd);
        if (exactTarget != null) {
            return exactTarget + query;
        }
        int rest = Math.min(pathStart + matchedLength, pathEnd);
        String path = prefixTarget + uri.substring(rest, pathEnd);
        if (path.isEmpty()) {
            path = "/";
        } else if (path.charAt(0) != '/') {
            path = "/" + path; // a plain-string ImplementationSpecific match may end inside a path element
        }
        return path + query;
    }

    private static String absolute(String target) {
        return target.isEmpty() || target.charAt(0) == '/' ? target : "/" + target;
    }
}
