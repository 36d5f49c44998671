package dev.usher.k8s.translate;

import dev.usher.routing.NginxTemplate;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * ingress-nginx's {@code upstream-vhost} (the {@code Host} sent to the origin) and {@code x-forwarded-prefix} (an
 * {@code X-Forwarded-Prefix} sent to the origin). Values are checked here, once, so nothing a manifest holds can
 * split a header: a host name, IPv4 or bracketed IPv6 address with an optional port; a path of ingress-nginx's
 * characters. In {@code upstream-vhost} the proxy expands {@code $service_name} and {@code $namespace}
 * ({@code $service_name.$namespace.svc.cluster.local}) and the request's {@code $host}, {@code $best_http_host} and
 * {@code $server_port}; any other nginx variable is reported and the value ignored, by the annotation audit
 * ({@link #problem}).
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
            // the proxy expands these per request (UpstreamVhost); stand-in values check the rest's syntax
            NginxTemplate template;
            try {
                template = NginxTemplate.parse(value);
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
            for (NginxTemplate.Part part : template.parts()) {
                if (part instanceof NginxTemplate.RequestField) {
                    return "unknown nginx variable in a Host: $http_*, $cookie_* and $remote_user cannot be there; only"
                            + " $host, $best_http_host, $server_port, $service_name and $namespace can";
                }
                if (part instanceof NginxTemplate.Variable v && standIn(v) == null) {
                    return "$" + v.nginxName() + " cannot be in a Host; of the nginx variables only $host,"
                            + " $best_http_host, $server_port, $service_name and $namespace can";
                }
            }
            String host = template.expand(NginxUpstreamHeaders::standIn);
            return HOST.matcher(host).matches() && value.length() <= 261
                    ? null
                    : "expected a host name or address with an optional port";
        }
        if (value.indexOf('$') >= 0) {
            return "nginx variables are not expanded by Usher in x-forwarded-prefix";
        }
        return PREFIX.matcher(value).matches() ? null : "expected a path prefix (letters, digits and -._~/:)";
    }

    /** A host-syntax stand-in for the variables a Host may hold; {@code null} for the others. */
    private static String standIn(NginxTemplate.Variable variable) {
        return switch (variable) {
            case HOST, BEST_HTTP_HOST -> "host";
            case SERVER_PORT -> "80";
            case SERVICE_NAME -> "svc";
            case NAMESPACE -> "ns";
            default -> null;
        };
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
