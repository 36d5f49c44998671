package dev.usher.routing;

import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's path annotations on one Ingress, as read by the translator.
 *
 * <p>Either one puts every path of the Ingress's hosts in regex mode, across Ingresses, as ingress-nginx does
 * (routing/README.md, "Regex paths"): {@code use-regex: "true"}, or a {@code rewrite-target} that differs from the
 * path it is applied to.
 *
 * @param useRegex {@code nginx.ingress.kubernetes.io/use-regex} is {@code "true"}
 * @param rewriteTarget {@code nginx.ingress.kubernetes.io/rewrite-target}, already validated (a path that may hold
 *     {@code $0}..{@code $9}), or {@code null}
 */
public record NginxPaths(boolean useRegex, @Nullable String rewriteTarget) {

    /** Neither annotation. */
    public static final NginxPaths NONE = new NginxPaths(false, null);

    /** Whether this Ingress's {@code path} turns regex mode on for its host. */
    boolean regexFor(String path) {
        return useRegex || rewriteTarget != null && !rewriteTarget.equals(path);
    }
}
