package dev.usher.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Collects the {@link Passthrough} hosts of a snapshot while {@link SnapshotCompiler} builds each host, with
 * ingress-nginx's rules: a host is passed through when an Ingress with rules for it says {@code ssl-passthrough}; the
 * backend is that of the host's winning {@code /} rule, else the host's default backend ({@code spec.defaultBackend}
 * of an Ingress with rules for it); without either, passthrough is ignored for the host. Only exact hosts:
 * ingress-nginx compares the server name with each passthrough host literally, so a wildcard or host-less rule never
 * matches. Every host ignored is listed as a {@link Conflict} of the Ingress that asked.
 *
 * <p><b>Choice:</b> ingress-nginx passes the host through whatever Ingress owns that {@code /} backend; here the owner
 * must ask for passthrough itself, so one Ingress cannot switch off TLS termination, and with it the access control,
 * of another Ingress's backend. The rules of the host's other Ingresses get no HTTPS traffic: listed as conflicts too.
 */
final class PassthroughHosts {

    private final Map<String, Passthrough> hosts = new HashMap<>();
    private final List<Conflict> conflicts;

    /** @param conflicts where ignored hosts are reported (the compiler's list) */
    PassthroughHosts(List<Conflict> conflicts) {
        this.conflicts = conflicts;
    }

    /**
     * Considers one host pattern once its rules are final.
     *
     * @param pattern the normalised pattern, {@code null} for host-less rules
     * @param owners the Ingresses with rules for it, oldest first
     * @param rules its winning rules, in the order they were added (oldest Ingress first, then manifest order)
     * @param fallback where the host falls back: its default backend, or the global fallback
     */
    void offer(@Nullable String pattern, List<IngressRuleSet> owners, List<Route> rules, Route fallback) {
        IngressRuleSet asking = null;
        for (IngressRuleSet owner : owners) {
            if (owner.options().sslPassthrough()) {
                asking = owner;
                break;
            }
        }
        if (asking == null) {
            return;
        }
        if (pattern == null || SnapshotCompiler.isWildcard(pattern)) {
            ignored(
                    pattern,
                    asking,
                    "ssl-passthrough matches exact server names only (as ingress-nginx); "
                            + (pattern == null ? "host-less rules" : "a wildcard host")
                            + " keep TLS termination");
            return;
        }
        Route root = null;
        for (Route rule : rules) {
            if ("/".equals(rule.path())) {
                root = rule;
                break;
            }
        }
        if (root == null && fallback.source() == RouteSource.INGRESS_DEFAULT) {
            root = fallback;
        }
        Backend backend = root == null ? null : root.backend();
        ObjectRef ingress = root == null ? null : root.ingressRef();
        if (backend == null || ingress == null) {
            ignored(
                    pattern,
                    asking,
                    "ssl-passthrough needs a / path or a default backend for the host (as ingress-nginx);"
                            + " the host keeps TLS termination");
            return;
        }
        IngressRuleSet owner = null;
        for (IngressRuleSet candidate : owners) {
            if (candidate.ref().equals(ingress)) {
                owner = candidate;
            }
        }
        if (owner == null || !owner.options().sslPassthrough()) {
            ignored(
                    pattern,
                    asking,
                    "ssl-passthrough: the host's " + (root == fallback ? "default backend" : "/ path") + " belongs to "
                            + ingress + ", which does not ask for it; the host keeps TLS termination (one Ingress"
                            + " never opens another's backend to raw TLS)");
            return;
        }
        hosts.put(pattern, new Passthrough(pattern, backend, ingress));
        for (IngressRuleSet other : owners) {
            if (!other.options().sslPassthrough()) {
                conflicts.add(new Conflict(
                        pattern,
                        null,
                        null,
                        owner.id(),
                        other.id(),
                        "the host is passed through (ssl-passthrough of " + owner.id() + "): this Ingress's rules"
                                + " for it get plain HTTP only"));
            }
        }
    }

    private void ignored(@Nullable String pattern, IngressRuleSet asking, String reason) {
        conflicts.add(new Conflict(pattern, null, null, asking.id(), asking.id(), reason));
    }

    /** The passthrough hosts by host name; the compiler hands it to the snapshot and touches it no more. */
    Map<String, Passthrough> hosts() {
        return hosts.isEmpty() ? Map.of() : Map.copyOf(hosts);
    }
}
