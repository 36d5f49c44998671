package dev.usher.routing;

import org.jspecify.annotations.Nullable;

/**
 * A rule that lost to an older one and is therefore not routed; reported, never silently dropped.
 *
 * @param host the normalised host pattern ({@code null} for host-less rules and catch-all default backends)
 * @param path the loser's rule path, or {@code null} for a default backend
 * @param type the loser's path type, or {@code null} for a default backend
 * @param winner {@code namespace/name} of the Ingress whose rule is routed
 * @param loser {@code namespace/name} of the Ingress whose rule is ignored
 * @param reason why the winner won, in words fit for a log line or a Kubernetes Event
 */
public record Conflict(
        @Nullable String host,
        @Nullable String path,
        @Nullable PathType type,
        String winner,
        String loser,
        String reason) {}
