package dev.usher.routing;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Edits of the origin's response head, as nginx's {@code proxy_redirect}, {@code proxy_cookie_domain} and
 * {@code proxy_cookie_path} make them for ingress-nginx's {@code proxy-redirect-from}/{@code -to},
 * {@code proxy-cookie-domain} and {@code proxy-cookie-path} annotations. Each part is {@code null} when off.
 *
 * <p>Every string is of printable ASCII without space (the translator admits only ingress-nginx's URL characters), so
 * no replacement can split or forge a header; the constructor checks it again.
 *
 * @param redirect the prefix of {@code Location} (and of {@code Refresh}'s {@code url=}) replaced, case-sensitive
 * @param cookieDomain the {@code Domain} attribute of {@code Set-Cookie} replaced when equal to {@code from}
 *     (case-insensitive, a leading dot on either side ignored and the cookie's own kept); both without a leading dot
 * @param cookiePath the prefix of the {@code Path} attribute of {@code Set-Cookie} replaced, case-sensitive
 */
public record ResponseRewrites(
        @Nullable Rule redirect,
        @Nullable Rule cookieDomain,
        @Nullable Rule cookiePath) {

    /** The longest {@code from} or {@code to} admitted. */
    public static final int MAX_LENGTH = 1024;

    public ResponseRewrites {
        if (redirect == null && cookieDomain == null && cookiePath == null) {
            throw new IllegalArgumentException("no rewrite: use null for the route option");
        }
        if (cookieDomain != null
                && (cookieDomain.from().startsWith(".") || cookieDomain.to().startsWith("."))) {
            throw new IllegalArgumentException("cookie domains are kept without their leading dot");
        }
    }

    /**
     * One replacement.
     *
     * @param from what is matched: non-empty
     * @param to what replaces it: may be empty
     */
    public record Rule(String from, String to) {
        public Rule {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            if (from.isEmpty()) {
                throw new IllegalArgumentException("empty from");
            }
            check(from);
            check(to);
        }

        private static void check(String s) {
            if (s.length() > MAX_LENGTH) {
                throw new IllegalArgumentException("longer than " + MAX_LENGTH + " characters");
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c <= ' ' || c >= 0x7f) {
                    throw new IllegalArgumentException("not printable ASCII without space at " + i);
                }
            }
        }
    }
}
