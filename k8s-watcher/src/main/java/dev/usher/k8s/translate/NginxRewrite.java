package dev.usher.k8s.translate;

import dev.usher.routing.LocalRedirect;
import dev.usher.routing.NginxPaths;
import dev.usher.routing.NginxRewriteTarget;
import java.util.Map;

/**
 * ingress-nginx's {@code use-regex} and {@code rewrite-target}, read with its semantics into {@link NginxPaths}.
 *
 * <p>{@code rewrite-target} replaces the whole path sent upstream (nginx {@code rewrite ... break}), with
 * {@code $0}..{@code $9} taken from the path's regex match and the nginx variables Usher expands
 * ({@link dev.usher.routing.NginxTemplate.Variable}) from the request; the query string is kept. It must then be a
 * path (starting with {@code /}, a capture reference or a variable) made of RFC 3986 path characters. An absolute URL
 * ({@code http://}, {@code https://}, {@code $scheme}) is nginx's redirect: the client gets a 302 to its expansion,
 * whose host must be fixed by the text ({@link NginxRewriteTarget}). Any other variable is invalid: the annotation is
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

    /** Whether {@code target} is an absolute URL: nginx redirects to it. */
    static boolean isRedirect(String target) {
        return NginxRewriteTarget.isRedirect(target);
    }

    /** Why {@code target} (trimmed, non-empty) cannot be applied, or {@code null} when it can. */
    static String problem(String target) {
        NginxRewriteTarget parsed;
        try {
            parsed = NginxRewriteTarget.parse(target);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        String skeleton = parsed.skeleton();
        if (parsed.redirect()) {
            return LocalRedirect.safeHeaderValue(skeleton)
                    ? null
                    : "an absolute URL must be printable ASCII without spaces (percent-encode others)";
        }
        if (!target.startsWith("/") && !target.startsWith("$")) {
            return "must start with '/', a capture reference such as '$1' or a variable";
        }
        String path = skeleton.startsWith("/") ? skeleton : "/" + skeleton;
        return RulePaths.rewriteProblem(path);
    }
}
