package dev.usher.routing;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's cookie session affinity of an Ingress ({@code affinity: cookie} and the {@code session-cookie-*}
 * annotations), validated by the translator: the name is a cookie-name token and the path and SameSite value hold only
 * characters a {@code Set-Cookie} attribute may, so nothing can split a header or add an attribute.
 *
 * @param cookieName the cookie's name ({@code INGRESSCOOKIE} by default)
 * @param path the cookie's {@code Path}, or {@code null} for the route's own path
 * @param maxAge {@code Max-Age} in seconds, or -1 for none (a session cookie)
 * @param expires seconds from now for {@code Expires}, or -1 for none
 * @param sameSite {@code None}, {@code Lax} or {@code Strict}, or {@code null} for no attribute
 * @param secure whether {@code Secure} is set on plain-HTTP responses too (it always is over TLS)
 * @param changeOnFailure whether a request that failed over to another endpoint moves the cookie there
 */
public record SessionAffinity(
        String cookieName,
        @Nullable String path,
        long maxAge,
        long expires,
        @Nullable String sameSite,
        boolean secure,
        boolean changeOnFailure) {

    public static final String DEFAULT_NAME = "INGRESSCOOKIE";

    public SessionAffinity {
        Objects.requireNonNull(cookieName, "cookieName");
        if (!isToken(cookieName)) {
            throw new IllegalArgumentException("not a cookie name: " + cookieName);
        }
        if (path != null && !isPath(path)) {
            throw new IllegalArgumentException("not a cookie path: " + path);
        }
        if (sameSite != null && !sameSite.equals("None") && !sameSite.equals("Lax") && !sameSite.equals("Strict")) {
            throw new IllegalArgumentException("SameSite must be None, Lax or Strict: " + sameSite);
        }
    }

    /** RFC 9110 token characters (a cookie name is a token, RFC 6265 §4.1.1). */
    public static boolean isToken(String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
            if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** An absolute path of printable ASCII without space or {@code ;} (RFC 6265 path-value). */
    public static boolean isPath(String value) {
        return value.startsWith("/") && LocalRedirect.safeHeaderValue(value) && value.indexOf(';') < 0;
    }
}
