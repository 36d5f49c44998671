package dev.usher.routing;

import java.util.Objects;

/**
 * One {@code http.paths[]} entry: a path, how it matches, and where it goes.
 *
 * <p>The path's percent-escapes are put in the canonical form request paths are normalised to
 * ({@link PathNormalizer#normalizeEscapes}), so {@code /%7euser} matches a request for {@code /~user} or
 * {@code /%7Euser}.
 */
public record PathRule(String path, PathType type, BackendRef backend) {

    public PathRule {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(backend, "backend");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must be absolute: '" + path + "'");
        }
        path = PathNormalizer.normalizeEscapes(path);
    }
}
