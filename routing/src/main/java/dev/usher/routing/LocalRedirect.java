package dev.usher.routing;

import java.util.Objects;

/**
 * A redirect the proxy answers itself for every request of an Ingress (ingress-nginx's {@code permanent-redirect} and
 * {@code temporal-redirect}); the origin is never contacted.
 *
 * @param location the {@code Location} value, validated by the translator: an absolute http(s) URL or an absolute
 *     path, printable ASCII without spaces, so it can never split a header
 * @param status 3xx status code
 */
public record LocalRedirect(String location, int status) {

    public LocalRedirect {
        Objects.requireNonNull(location, "location");
        if (status < 300 || status > 399) {
            throw new IllegalArgumentException("redirect status must be 3xx, got " + status);
        }
        if (!safeHeaderValue(location)) {
            throw new IllegalArgumentException("location must be printable ASCII without spaces");
        }
    }

    /** Whether {@code value} is non-empty printable ASCII without spaces: nothing that could end or split a header. */
    public static boolean safeHeaderValue(String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
