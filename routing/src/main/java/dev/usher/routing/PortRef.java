package dev.usher.routing;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A Service port as an Ingress backend names it: by number or by name, exactly one of the two.
 *
 * @param number the port number, or 0 when named
 * @param name the port name, or {@code null} when numbered
 */
public record PortRef(int number, @Nullable String name) {

    public PortRef {
        if (name == null && (number < 1 || number > 65535)) {
            throw new IllegalArgumentException("port number out of range: " + number);
        }
        if (name != null && (number != 0 || name.isEmpty())) {
            throw new IllegalArgumentException("a port is named or numbered, not both: " + number + "/" + name);
        }
    }

    public static PortRef number(int number) {
        return new PortRef(number, null);
    }

    public static PortRef named(String name) {
        return new PortRef(0, Objects.requireNonNull(name, "name"));
    }

    public boolean isNamed() {
        return name != null;
    }

    @Override
    public String toString() {
        return name != null ? name : Integer.toString(number);
    }
}
