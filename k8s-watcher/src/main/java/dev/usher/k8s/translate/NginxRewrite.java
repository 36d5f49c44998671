package dev.usher.k8s.translate;

import dev.usher.routing.NginxPaths;
import java.util.Map;

/**
 * ingress-nginx's {@code use-regex} and {@code rewrite-target}, read with its semantics into {@link NginxPaths}.
 *
 * <p>{@code rewrite-target} replaces the whole path sent upstream (nginx {@code rewrite ... break}), with
 * {@code $0}..{@code $9} taken from the path's regex match; the query string is kept. It must be a path (starting
 * with {@code /} or a capture reference) made of RFC 3986 path characters. Any other nginx variable ({@code $host},
 * {@code $request_uri}) and an absolute URL (which nginx turns into a redirect) are not supported: the annotation is
 * then ignored and reported by the annotation audit ({@link Annotations#classify}), never applied half way.
 */
final class NginxRewrite {

    static final String USE_REGEX = "use-regex";
    static final String REWRITE_TARGET = "rewrite-target";

    private NginxRewrite() {}

    /** The two annotations of {@code annotations}; invalid values count as absent (the audit reports them). */
    static NginxPaths read(Map<String, String> annotations) {
        Boolean useRegex = Annotations.nginxFlag(annotations, USE_REGEX, "true", "false");
        String target = annotations.get(Annotations.NGINX + REWRITE_TARGET);
        if (target != null) {
            target = target.trim();
            if (target.isEmpty() || problem(target) != null) {
                target = null;
            }
        }
        boolean regex = useRegex != null && useRegex;
        return regex || target != null ? new NginxPaths(regex, target) : NginxPaths.NONE;
    }

    /** Whether {@code target} is an absolute URL: nginx redirects to it, Usher does not yet. */
    static boolean isRedirect(String target) {
        return target.regionMatches(true, 0, "http://", 0, 7) || target.regionMatches(true, 0, "https://", 0, 8);
    }

    /** Why {@code target} (trimmed, non-empty) cannot be applied, or {@code null} when it can. */
    static String problem(String target) {
        if (isRedirect(target)) {
            return "an absolute URL (a redirect in nginx) is not implemented yet";
        }
        if (!target.startsWith("/") && !target.startsWith("$")) {
            return "must start with '/' or a capture reference such as '$1'";
        }
        for (int i = 0; i < target.length(); i++) {
            if (target.charAt(i) == '$' && (i + 1 == target.length() || !isDigit(target.charAt(i + 1)))) {
                return "only the capture references $0..$9 are supported, not nginx variables ("
                        + Problems.quote(target.substring(i, Math.min(target.length(), i + 20))) + ")";
            }
        }
        String path = target.startsWith("/") ? target : "/" + target;
        return RulePaths.rewriteProblem(path);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
