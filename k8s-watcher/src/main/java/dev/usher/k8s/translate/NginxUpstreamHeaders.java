package dev.usher.k8s.translate;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * ingress-nginx's {@code upstream-vhost} (the {@code Host} sent to the origin) and {@code x-forwarded-prefix} (an
 * {@code X-Forwarded-Prefix} sent to the origin). Values are checked here, once, so nothing a manifest holds can
 * split a header: a host name, IPv4 or bracketed IPv6 address with an optional port; a path of ingress-nginx's
 * characters. nginx variables ({@code $service_name.$namespace.svc}) are not expanded by Usher yet: reported and
 * ignored, by the annotation audit ({@link #problem}).
 */
final class NginxUpstreamHeaders {

    static final String UPSTREAM_VHOST = "upstream-vhost";
    static final String FORWARDED_PREFIX = "x-forwarded-prefix";

    private static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]+\\])(?::\\d{1,5})?");
    private static final Pattern PREFIX = Pattern.compile("/?[-._~A-Za-z0-9/:]+");

    private NginxUpstreamHeaders() {
    }

    static String upstreamVhost(Map<String, String> a) {
        return valid(a, UPSTREAM_VHOST);
    }

    static String forwardedPrefix(Map<String, String> a) {
        return valid(a, FORWARDED_PREFIX);
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static String problem(String name, String value) {
        if (value.indexOf('$') >= 0) {
            return "nginx variables such as $service_name are not expanded by Usher yet";
        }
        if (name.equals(UPSTREAM_VHOST)) {
            return HOST.matcher(value).matches() && value.length() <= 261 ? null
                    : "expected a host name or address with an optional port";
        }
        return PREFIX.matcher(value).matches() ? null : "expected a path prefix (letters, digits and -._~/:)";
    }

    private static String valid(Map<String, String> a, String name) {
        String value = a.get(Annotations.NGINX + name);
        if (value == null) {
            return null;
        }
        String v = value.strip();
        return problem(name, v) == null ? v : null;
    }
}
