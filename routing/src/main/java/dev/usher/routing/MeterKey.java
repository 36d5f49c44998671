package dev.usher.routing;

import org.jspecify.annotations.Nullable;

/**
 * Whom a route's requests count under in the proxy's metrics: its namespace, Ingress and Service, each {@code none}
 * when the route has none. Built once per route with the snapshot, so that finding a request's meters needs no key
 * of its own.
 */
public record MeterKey(String namespace, String ingress, String service) {

    /** The tag value of an absent namespace, Ingress or Service. */
    public static final String NONE = "none";

    /** The key of requests refused before routing and of routes that found nothing. */
    public static final MeterKey UNROUTED = new MeterKey(NONE, NONE, NONE);

    static MeterKey of(@Nullable String namespace, @Nullable String ingress, @Nullable Backend backend) {
        return new MeterKey(
                orNone(namespace),
                orNone(ingress),
                backend == null ? NONE : backend.ref().service());
    }

    private static String orNone(@Nullable String value) {
        return value == null || value.isEmpty() ? NONE : value;
    }
}
