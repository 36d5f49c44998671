package dev.usher.routing;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One {@code spec.rules[]} entry.
 *
 * @param host an exact host ({@code foo.bar.com}), a one-label wildcard ({@code *.bar.com}), or {@code null} for
 *     every host; stored lower-case
 * @param paths the path rules, in manifest order
 */
public record HostRule(@Nullable String host, List<PathRule> paths) {

    public HostRule {
        Objects.requireNonNull(paths, "paths");
        paths = List.copyOf(paths);
    }
}
