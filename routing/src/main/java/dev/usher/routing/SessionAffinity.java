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
 * @param domain the cookie's {@code Domain}, or {@code null} for none (the cookie stays with the request's host)
 * @param conditionalSameSiteNone whether {@code SameSite=None} is left out for user agents known to reject or
 *     misread it (ingress-nginx's {@code session-cookie-conditional-samesite-none})
 */
public record SessionAffinity(
        String cookieName,
        @Nullable String path,
        long maxAge,
        long expires,
        @Nullable String sameSite,
        boolean secure,
        boolean changeOnFailure,
        @Nullable String domain,
        boolean conditionalSameSiteNone) {

    public static final String DEFAULT_NAME = "INGRESSCOOKIE";

    public SessionAffinity {
        Objects.requireNonNull(cookieName, "cookieName");
        if (!isToken(cookieName)) {
            throw new IllegalArgumentException("not a cookie name: " + cookieName);
        }
        if (path != null && !isPath(path)) {
            throw new IllegalArgumentException("not a cookie path: " + path);
        }
        if (domain != null && !isDomain(domain)) {
            throw new IllegalArgumentException("not a cookie domain: " + domain);
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

    /**
     * A DNS name as a cookie's {@code Domain} (RFC 6265 §4.1.2.3, an optional leading dot allowed): labels of letters,
     * digits and hyphens, not starting or ending with a hyphen, at most 253 characters.
     */
    public static boolean isDomain(String value) {
        String name = value.startsWith(".") ? value.substring(1) : value;
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }

    /** An absolute path of printable ASCII without space or {@code ;} (RFC 6265 path-value). */
    public static boolean isPath(String value) {
        return value.startsWith("/") && LocalRedirect.safeHeaderValue(value) && value.indexOf(';') < 0;
    }
}
