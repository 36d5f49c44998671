package dev.usher.routing;

import java.util.Objects;

/**
 * A namespaced Kubernetes object (an Ingress, Service, Secret...) by name: printed and parsed as
 * {@code namespace/name}, the form {@code kubectl}, logs, problems and flags such as {@code --publish-service} use.
 * Use it as a map key instead of a concatenated string; it orders as its text does.
 */
public record ObjectRef(String namespace, String name) implements Comparable<ObjectRef> {

    public ObjectRef {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    /**
     * Parses {@code NAMESPACE/NAME}.
     *
     * @throws IllegalArgumentException when either part is empty or there is not exactly one {@code /}
     */
    public static ObjectRef parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("expected NAMESPACE/NAME, got '" + text + "'");
        }
        return new ObjectRef(text.substring(0, slash), text.substring(slash + 1));
    }

    /** The same order as {@code toString()}'s, so that a map keyed by refs iterates as one keyed by text did. */
    @Override
    public int compareTo(ObjectRef other) {
        int n = Math.min(namespace.length(), other.namespace.length());
        for (int i = 0; i < n; i++) {
            int c = Character.compare(namespace.charAt(i), other.namespace.charAt(i));
            if (c != 0) {
                return c;
            }
        }
        if (namespace.length() != other.namespace.length()) {
            // The shorter namespace is followed by '/', compared against the longer one's next character.
            return namespace.length() < other.namespace.length()
                    ? Character.compare('/', other.namespace.charAt(n))
                    : Character.compare(namespace.charAt(n), '/');
        }
        return name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
