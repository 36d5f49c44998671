package dev.usher.k8s.translate;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * ingress-nginx's {@code upstream-vhost} (the {@code Host} sent to the origin) and {@code x-forwarded-prefix} (an
 * {@code X-Forwarded-Prefix} sent to the origin). Values are checked here, once, so nothing a manifest holds can
 * split a header: a host name, IPv4 or bracketed IPv6 address with an optional port; a path of ingress-nginx's
 * characters. In {@code upstream-vhost} the proxy expands {@code $service_name} and {@code $namespace}
 * ({@code $service_name.$namespace.svc.cluster.local}); any other nginx variable is reported and the value ignored,
 * by the annotation audit ({@link #problem}).
 */
final class NginxUpstreamHeaders {

    static final String UPSTREAM_VHOST = "upstream-vhost";
    static final String FORWARDED_PREFIX = "x-forwarded-prefix";

    private static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]+\\])(?::\\d{1,5})?");
    private static final Pattern PREFIX = Pattern.compile("/?[-._~A-Za-z0-9/:]+");

    private NginxUpstreamHeaders() {}

    static String upstreamVhost(Map<String, String> a) {
        return valid(a, UPSTREAM_VHOST);
    }

    static String forwardedPrefix(Map<String, String> a) {
        return valid(a, FORWARDED_PREFIX);
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static String problem(String name, String value) {
        if (name.equals(UPSTREAM_VHOST)) {
            // the proxy expands these two per route (UpstreamVhost); a stand-in label checks the rest's syntax
            String host = value.replace("$service_name", "svc").replace("$namespace", "ns");
            if (host.indexOf('$') >= 0) {
                return "of the nginx variables only $service_name and $namespace are expanded by Usher";
            }
            return HOST.matcher(host).matches() && value.length() <= 261
                    ? null
                    : "expected a host name or address with an optional port";
        }
        if (value.indexOf('$') >= 0) {
            return "nginx variables are not expanded by Usher in x-forwarded-prefix";
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
