package dev.usher.benchmarks.load;

import java.util.Objects;

/**
 * One request shape the load client sends: the {@code Host} header and the request target (path and query).
 *
 * @param host value of the Host header
 * @param path origin-form request target, starting with {@code /}
 */
public record RequestTarget(String host, String path) {

    public RequestTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/', got " + path);
        }
    }
}
