package dev.usher.routing;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One ready address of a backend.
 *
 * @param address an IP literal (or a host name in manifests mode)
 * @param port the target port
 * @param name the pod (or other target) name when known, else {@code null}; for logs and debugging only
 * @param zone the EndpointSlice's {@code zone} of the endpoint when known, else {@code null}; for debugging only (the
 *        zone preference is applied when the endpoint list is built, not per request)
 */
public record Endpoint(
        String address,
        int port,
        @Nullable String name,
        @Nullable String zone) {

    public Endpoint {
        Objects.requireNonNull(address, "address");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** An endpoint of unknown zone. */
    public Endpoint(String address, int port, @Nullable String name) {
        this(address, port, name, null);
    }

    @Override
    public String toString() {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
