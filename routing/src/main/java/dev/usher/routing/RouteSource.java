package dev.usher.routing;

/** Where a {@link Route} came from, in the order the fallback chain tries them. */
public enum RouteSource {
    /** A path rule of the matched host. */
    RULE,
    /** The {@code spec.defaultBackend} of the (oldest) Ingress that owns the matched host's rules. */
    INGRESS_DEFAULT,
    /** The {@code spec.defaultBackend} of the oldest Ingress that has no rules at all. */
    CATCH_ALL_DEFAULT,
    /** The controller's {@code --default-backend} flag. */
    FLAG_DEFAULT,
    /** Nothing matched: the proxy answers 404 itself. */
    NOT_FOUND
}
