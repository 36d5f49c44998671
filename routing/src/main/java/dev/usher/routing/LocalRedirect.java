package dev.usher.routing;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A redirect the proxy answers itself for every request of an Ingress (ingress-nginx's {@code permanent-redirect} and
 * {@code temporal-redirect}, a {@code configuration-snippet}'s {@code return}); the origin is never contacted.
 *
 * @param location the {@code Location} value, validated by the translator: an absolute http(s) URL or an absolute
 *     path, printable ASCII without spaces, so it can never split a header; with a template, its text as written
 * @param status 3xx status code
 * @param template {@code location} parsed, when it holds nginx variables ({@code $host}, {@code $request_uri}, ...:
 *     a snippet's {@code return 301 https://$host$request_uri;}), expanded per request with every unsafe byte
 *     percent-encoded; or {@code null}: sent as written
 */
public record LocalRedirect(
        String location, int status, @Nullable NginxTemplate template) {

    public LocalRedirect {
        Objects.requireNonNull(location, "location");
        if (status < 300 || status > 399) {
            throw new IllegalArgumentException("redirect status must be 3xx, got " + status);
        }
        if (!safeHeaderValue(location)) {
            throw new IllegalArgumentException("location must be printable ASCII without spaces");
        }
        if (template != null && template.readsRequestFields()) {
            throw new IllegalArgumentException("a redirect's location reads no request field");
        }
    }

    /** A location sent as written. */
    public LocalRedirect(String location, int status) {
        this(location, status, null);
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
