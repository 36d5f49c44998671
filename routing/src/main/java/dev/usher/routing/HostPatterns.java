package dev.usher.routing;

import org.jspecify.annotations.Nullable;

/** Host pattern semantics shared by lookups, explanations and TLS redirect decisions. */
final class HostPatterns {

    private HostPatterns() {}

    /**
     * Whether normalised {@code pattern} covers normalised {@code host}: {@code null} covers every host, an exact
     * pattern only itself, {@code *.foo.com} exactly one non-empty label before {@code .foo.com}.
     */
    static boolean matches(@Nullable String pattern, @Nullable String host) {
        if (pattern == null) {
            return true;
        }
        if (host == null) {
            return false;
        }
        if (!SnapshotCompiler.isWildcard(pattern)) {
            return pattern.equals(host);
        }
        int dot = host.indexOf('.');
        return dot > 0 && host.length() - dot == pattern.length() - 1 && host.endsWith(pattern.substring(1));
    }
}
