package dev.usher.routing;

import java.util.Objects;

/** A Service port that an Ingress routes to: {@code namespace/service:port}. */
public record BackendRef(String namespace, String service, PortRef port) {

    public BackendRef {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(port, "port");
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

    /** The Service this port belongs to. */
    public ObjectRef serviceRef() {
        return new ObjectRef(namespace, service);
    }

    @Override
    public String toString() {
        return namespace + "/" + service + ":" + port;
    }
}
