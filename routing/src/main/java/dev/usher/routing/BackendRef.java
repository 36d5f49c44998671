package dev.usher.routing;

import java.util.Objects;

/**
 * A Service port that an Ingress routes to: {@code namespace/service:port}.
 *
 * @param clusterIp whether the port is reached through the Service's cluster IP as one endpoint (ingress-nginx's
 *     {@code service-upstream: "true"}: kube-proxy balances) instead of its ready pod addresses; such a reference is
 *     a backend of its own, so one Ingress asking for it never changes how another reaches the same Service
 */
public record BackendRef(String namespace, String service, PortRef port, boolean clusterIp) {

    public BackendRef {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(port, "port");
    }

    /** A Service port reached through its ready endpoints. */
    public BackendRef(String namespace, String service, PortRef port) {
        this(namespace, service, port, false);
    }

    /** Parses {@code NAMESPACE/SERVICE:PORT}, the form of the {@code --default-backend} flag. */
    public static BackendRef parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        int colon = text.lastIndexOf(':');
        if (slash <= 0 || colon <= slash + 1 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected NAMESPACE/SERVICE:PORT, got '" + text + "'");
        }
        String port = text.substring(colon + 1);
        PortRef ref = port.chars().allMatch(Character::isDigit)
                ? PortRef.number(Integer.parseInt(port))
                : PortRef.named(port);
        return new BackendRef(text.substring(0, slash), text.substring(slash + 1, colon), ref);
    }

    /** This Service port reached through the Service's cluster IP ({@code service-upstream}). */
    public BackendRef viaClusterIp() {
        return clusterIp ? this : new BackendRef(namespace, service, port, true);
    }

    /** The Service this port belongs to. */
    public ObjectRef serviceRef() {
        return new ObjectRef(namespace, service);
    }

    @Override
    public String toString() {
        return namespace + "/" + service + ":" + port + (clusterIp ? " (ClusterIP)" : "");
    }
}
