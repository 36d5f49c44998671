package dev.usher.proxy;

import io.netty.util.NetUtil;

/**
 * Byte-level checks of the parts of a request head that Usher routes on, reflects or logs: the request target and the
 * host (from {@code Host} or an absolute-form authority). Pure functions, no allocation on the common path.
 */
final class RequestSyntax {

    private RequestSyntax() {}

    /**
     * Whether the request target is free of control bytes (0x00-0x1F, 0x7F). Netty's decoder splits the request line
     * on whitespace only, so a NUL, a tab or an escape byte would otherwise reach the origin and the logs. Bytes of
     * 0x80 and above (decoded as ISO-8859-1 characters) are allowed: they are forwarded as received, as nginx does.
     */
    static boolean targetBytesValid(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c < 0x21 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code host} is {@code uri-host [ ":" port ]} (RFC 9110 §7.2, RFC 3986 §3.2.2): a reg-name (unreserved,
     * percent-encoded and sub-delim characters; an IPv4 address is one too), or an IPv6 literal in brackets; the port
     * is at most five digits. Empty is valid (RFC 9110 §7.2: a target without authority sends an empty Host). So no
     * userinfo ({@code a:junk@evil}), nothing after a literal ({@code [x]evil}), no spaces, quotes or slashes: such a
     * value is never routed, logged as a host, or reflected into a redirect.
     */
    static boolean hostValid(String host) {
        int end = host.length();
        int i = 0;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0 || !NetUtil.isValidIpV6Address(host.substring(1, close))) {
                return false;
            }
            i = close + 1;
            if (i < end && host.charAt(i) != ':') {
                return false;
            }
        } else {
            while (i < end && host.charAt(i) != ':') {
                if (!regNameChar(host, i)) {
                    return false;
                }
                i++;
            }
        }
        if (i == end) {
            return true;
        }
        int digits = end - i - 1; // after the colon
        if (digits > 5) {
            return false;
        }
        for (int j = i + 1; j < end; j++) {
            char c = host.charAt(j);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** RFC 3986 §3.2.2 reg-name: unreserved / pct-encoded / sub-delims. */
    private static boolean regNameChar(String host, int i) {
        char c = host.charAt(i);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        return switch (c) {
            case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=' -> true;
            case '%' -> i + 2 < host.length() && hex(host.charAt(i + 1)) && hex(host.charAt(i + 2));
            default -> false;
        };
    }

    /** RFC 9110 §5.6.2: a character of a token (a method, a field name). */
    static boolean tchar(char c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        return switch (c) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
