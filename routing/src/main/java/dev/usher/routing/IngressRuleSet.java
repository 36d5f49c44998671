package dev.usher.routing;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything one Ingress contributes to routing, already validated and reduced to Usher's model.
 *
 * @param namespace the Ingress's namespace; its backends are always in the same namespace
 * @param name the Ingress's name
 * @param creationTimestamp decides conflicts: the oldest wins, then {@code namespace/name} order
 * @param rules the host rules, in manifest order
 * @param defaultBackend {@code spec.defaultBackend}, or {@code null}
 * @param options rewrite and TLS behaviour
 */
public record IngressRuleSet(
        String namespace,
        String name,
        Instant creationTimestamp,
        List<HostRule> rules,
        @Nullable BackendRef defaultBackend,
        RouteOptions options) {

    public IngressRuleSet {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(creationTimestamp, "creationTimestamp");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(options, "options");
        rules = List.copyOf(rules);
    }

    /** {@code namespace/name}, the Ingress's identity in logs, metrics and conflicts. */
    public String id() {
        return ref().toString();
    }

    /** The Ingress this rule set was translated from. */
    public ObjectRef ref() {
        return new ObjectRef(namespace, name);
    }
}
