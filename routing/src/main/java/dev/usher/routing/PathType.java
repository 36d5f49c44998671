package dev.usher.routing;

/** How an Ingress path is matched (networking.k8s.io/v1 {@code pathType}). */
public enum PathType {
    /** Case-sensitive whole-path match. */
    EXACT,
    /** Element-wise prefix match split on {@code /}; a trailing {@code /} on the rule is ignored. */
    PREFIX,
    /** Usher's choice: a plain string prefix, as the legacy "longest prefix" controllers did. */
    IMPLEMENTATION_SPECIFIC
}
