package dev.usher.proxy;

import dev.usher.routing.ResponseRewrites;
import dev.usher.routing.ResponseRewrites.Rule;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Applies a route's {@link ResponseRewrites} to the origin's response head, with nginx's rules:
 *
 * <ul>
 *   <li>{@code proxy_redirect}: a {@code Location} beginning with {@code from} (case-sensitive) gets {@code to}
 *       instead of that prefix; in {@code Refresh} the same from the first {@code url=} (any case) on.</li>
 *   <li>{@code proxy_cookie_domain} and {@code proxy_cookie_path}: each {@code Set-Cookie} is split at {@code ;}; the
 *       first part (the cookie's name and value) is never touched; a later attribute named {@code Domain} or
 *       {@code Path} (any case, spaces and tabs around the name and value ignored) with a value is rewritten: a domain
 *       equal to {@code from} (any case, a leading dot on the cookie's ignored and kept) becomes {@code to}, a path
 *       beginning with {@code from} gets {@code to} instead of that prefix. A field without a name-value pair is left
 *       alone, as nginx does.</li>
 * </ul>
 *
 * <p>Only the attribute's value changes; the rest of the field keeps the origin's bytes (nginx re-joins the parts with
 * {@code "; "}, which means the same to a browser). The replacements are printable ASCII without space
 * ({@link ResponseRewrites.Rule}), so the result can never hold a character the origin's field did not already hold,
 * nor CR/LF. Only called for routes with rewrites; the others pay one null check.
 */
final class ResponseRewriting {

    private static final AsciiString REFRESH = AsciiString.cached("refresh");

    private ResponseRewriting() {}

    /** Rewrites the origin's fields in {@code headers} as {@code rewrites} say. */
    static void apply(HttpHeaders headers, ResponseRewrites rewrites) {
        Rule redirect = rewrites.redirect();
        if (redirect != null) {
            rewriteAll(headers, HttpHeaderNames.LOCATION, value -> prefixed(value, 0, redirect));
            rewriteAll(headers, REFRESH, value -> refresh(value, redirect));
        }
        Rule domain = rewrites.cookieDomain();
        Rule path = rewrites.cookiePath();
        if (domain != null || path != null) {
            rewriteAll(headers, HttpHeaderNames.SET_COOKIE, value -> setCookie(value, domain, path));
        }
    }

    /** One field value's edit: the new value, or {@code null} to keep it. */
    private interface Edit {
        @Nullable
        String apply(String value);
    }

    private static void rewriteAll(HttpHeaders headers, AsciiString name, Edit edit) {
        List<String> values = headers.getAll(name);
        if (values.isEmpty()) {
            return;
        }
        List<String> rewritten = new ArrayList<>(values.size());
        boolean changed = false;
        for (String value : values) {
            String next = edit.apply(value);
            if (next != null) {
                changed = true;
            }
            rewritten.add(next != null ? next : value);
        }
        if (changed) {
            headers.set(name, rewritten);
        }
    }

    /** {@code value} with {@code rule} applied to the prefix that starts at {@code start}, or {@code null}. */
    static @Nullable String prefixed(String value, int start, Rule rule) {
        String from = rule.from();
        if (!value.startsWith(from, start)) {
            return null;
        }
        return value.substring(0, start) + rule.to() + value.substring(start + from.length());
    }

    /** A {@code Refresh} value ({@code 5; url=/next}) rewritten after its first {@code url=}, or {@code null}. */
    static @Nullable String refresh(String value, Rule rule) {
        int url = indexOfIgnoreCase(value, "url=");
        return url < 0 ? null : prefixed(value, url + 4, rule);
    }

    /** A {@code Set-Cookie} value with its {@code Domain} and {@code Path} attributes rewritten, or {@code null}. */
    static @Nullable String setCookie(String value, @Nullable Rule domain, @Nullable Rule path) {
        int end = value.indexOf(';');
        if (end < 0 || value.lastIndexOf('=', end) < 0) {
            return null; // no attribute, or no name-value pair first: nginx leaves the field alone
        }
        StringBuilder out = null;
        int copied = 0; // value[0, copied) is in out
        while (end < value.length()) {
            int start = end + 1;
            end = value.indexOf(';', start);
            if (end < 0) {
                end = value.length();
            }
            int eq = value.indexOf('=', start);
            if (eq < 0 || eq > end) {
                continue; // a flag such as Secure, or an empty part
            }
            int nameStart = skipBlanks(value, start, eq);
            int nameEnd = trimBlanks(value, nameStart, eq);
            int valueStart = skipBlanks(value, eq + 1, end);
            int valueEnd = trimBlanks(value, valueStart, end);
            String attribute = value.substring(valueStart, valueEnd);
            String replaced = null;
            if (domain != null && nameEnd - nameStart == 6 && value.regionMatches(true, nameStart, "domain", 0, 6)) {
                replaced = domain(attribute, domain);
            } else if (path != null && nameEnd - nameStart == 4 && value.regionMatches(true, nameStart, "path", 0, 4)) {
                replaced = prefixed(attribute, 0, path);
            }
            if (replaced != null) {
                if (out == null) {
                    out = new StringBuilder(value.length() + 32);
                }
                out.append(value, copied, valueStart).append(replaced);
                copied = valueEnd;
            }
        }
        return out == null ? null : out.append(value, copied, value.length()).toString();
    }

    /** nginx's domain match: the whole value, any case, a leading dot ignored on both sides and the cookie's kept. */
    private static @Nullable String domain(String attribute, Rule rule) {
        int dot = attribute.startsWith(".") ? 1 : 0;
        String from = rule.from();
        if (attribute.length() - dot != from.length() || !attribute.regionMatches(true, dot, from, 0, from.length())) {
            return null;
        }
        return attribute.substring(0, dot) + rule.to();
    }

    private static int skipBlanks(String s, int from, int to) {
        int i = from;
        while (i < to && blank(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int trimBlanks(String s, int from, int to) {
        int i = to;
        while (i > from && blank(s.charAt(i - 1))) {
            i--;
        }
        return i;
    }

    private static boolean blank(char c) {
        return c == ' ' || c == '\t';
    }

    private static int indexOfIgnoreCase(String s, String ascii) {
        for (int i = 0; i + ascii.length() <= s.length(); i++) {
            if (s.regionMatches(true, i, ascii, 0, ascii.length())) {
                return i;
            }
        }
        return -1;
    }
}
