package dev.usher.routing;

import java.util.Objects;

/** One {@code http.paths[]} entry: a path, how it matches, and where it goes. */
public record PathRule(String path, PathType type, BackendRef backend) {

    public PathRule {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(backend, "backend");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must be absolute: '" + path + "'");
        }
    }
}
