package dev.usher.routing;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * An Ingress's own origin timeouts (ingress-nginx's {@code proxy-connect-timeout}, {@code proxy-read-timeout},
 * {@code proxy-send-timeout}); a {@code null} component keeps the proxy's global setting.
 *
 * @param connect TCP connect to an origin
 * @param read the request fully sent to the response head (the proxy's response timeout)
 * @param send an origin that stops taking request body bytes
 */
public record RouteTimeouts(
        @Nullable Duration connect,
        @Nullable Duration read,
        @Nullable Duration send) {

    /** No override: every timeout is the global one. */
    public static final RouteTimeouts NONE = new RouteTimeouts(null, null, null);

    public RouteTimeouts {
        positive(connect, "connect");
        positive(read, "read");
        positive(send, "send");
    }

    /** {@code own} when set, else {@code global}. */
    public static Duration or(@Nullable Duration own, Duration global) {
        return own != null ? own : global;
    }

    private static void positive(@Nullable Duration d, String name) {
        if (d != null && (d.isZero() || d.isNegative())) {
            throw new IllegalArgumentException(name + " timeout must be positive, got " + d);
        }
    }
}
