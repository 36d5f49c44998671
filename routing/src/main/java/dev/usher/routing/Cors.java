package dev.usher.routing;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's CORS options of an Ingress ({@code enable-cors} and the {@code cors-*} annotations), validated by the
 * translator: every value below goes into a response header as it is, so none holds CR, LF or any byte outside
 * printable ASCII.
 *
 * @param allowOrigins the origins allowed: {@code *} (any), {@code scheme://host[:port]}, or
 *     {@code scheme://*.domain[:port]} (one label in place of {@code *}); lower-case. Empty allows no origin
 * @param allowMethods the {@code Access-Control-Allow-Methods} value
 * @param allowHeaders the {@code Access-Control-Allow-Headers} value
 * @param exposeHeaders the {@code Access-Control-Expose-Headers} value, or empty for none
 * @param allowCredentials whether {@code Access-Control-Allow-Credentials: true} is sent (never with {@code *})
 * @param maxAge the {@code Access-Control-Max-Age} value in seconds
 */
public record Cors(
        List<String> allowOrigins,
        String allowMethods,
        String allowHeaders,
        String exposeHeaders,
        boolean allowCredentials,
        long maxAge) {

    /** What a request's origin is answered with: the {@code Access-Control-Allow-Origin} value and credentials. */
    public record Allowed(String origin, boolean credentials) {}

    public Cors {
        allowOrigins = List.copyOf(allowOrigins);
        for (String value : List.of(allowMethods, allowHeaders)) {
            if (!LocalRedirect.safeHeaderValue(value.replace(" ", ""))) {
                throw new IllegalArgumentException("not a header value: " + value);
            }
        }
        if (!exposeHeaders.isEmpty() && !LocalRedirect.safeHeaderValue(exposeHeaders.replace(" ", ""))) {
            throw new IllegalArgumentException("not a header value: " + exposeHeaders);
        }
        for (String origin : allowOrigins) {
            if (!LocalRedirect.safeHeaderValue(origin)) {
                throw new IllegalArgumentException("not an origin: " + origin);
            }
        }
        if (maxAge < 0) {
            throw new IllegalArgumentException("maxAge must be >= 0");
        }
    }

    /** Whether any origin is allowed ({@code *} in the list). */
    public boolean anyOrigin() {
        return allowOrigins.contains("*");
    }

    /**
     * How a request with {@code Origin: origin} is answered, or {@code null} when its origin is not allowed (no CORS
     * header at all then). A listed origin is echoed as the client sent it; {@code *} alone is answered with
     * {@code *} and without credentials, as a browser refuses {@code *} with credentials anyway (Fetch standard).
     */
    public @Nullable Allowed allow(@Nullable String origin) {
        if (origin == null || origin.isEmpty() || !LocalRedirect.safeHeaderValue(origin)) {
            return null;
        }
        String lower = origin.toLowerCase(Locale.ROOT);
        for (String allowed : allowOrigins) {
            if (!allowed.equals("*") && matches(allowed, lower)) {
                return new Allowed(origin, allowCredentials);
            }
        }
        return anyOrigin() ? new Allowed("*", false) : null;
    }

    /** {@code pattern} is {@code scheme://host[:port]} or {@code scheme://*.rest}: {@code *} stands for one label. */
    static boolean matches(String pattern, String origin) {
        int star = pattern.indexOf("://*.");
        if (star < 0) {
            return pattern.equals(origin);
        }
        String prefix = pattern.substring(0, star + 3); // "https://"
        String suffix = pattern.substring(star + 4); // ".example.com[:port]"
        if (!origin.startsWith(prefix)
                || !origin.endsWith(suffix)
                || origin.length() <= prefix.length() + suffix.length()) {
            return false;
        }
        String label = origin.substring(prefix.length(), origin.length() - suffix.length());
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false; // one label: no dot, no port, nothing else
            }
        }
        return true;
    }
}
