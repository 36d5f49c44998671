package dev.usher.k8s.translate;

import dev.usher.routing.Mirror;
import dev.usher.routing.NginxTemplate;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's request mirroring: {@code mirror-target} (an absolute {@code http}/{@code https} URL, nginx variables
 * such as {@code $request_uri} allowed after its host), {@code mirror-request-body} ({@code on}, the default, or
 * {@code off}) and {@code mirror-host} (the {@code Host} of the mirror request; by default the target's host name, as
 * ingress-nginx sets it).
 *
 * <p>Parsed once here into a {@link Mirror}. The scheme, host and port of the target must be literal text: nginx
 * expands {@code proxy_pass http://mirror$request_uri} as a whole, so a variable right after the host (or in it) would
 * let a request choose where its copy goes; Usher refuses such a target, and {@code $http_*}, {@code $cookie_*} and
 * {@code $remote_user} anywhere. A bad value is reported and ignored (mirroring is not access control): a bad target
 * means no mirror, a bad {@code mirror-request-body} means {@code on}, a bad {@code mirror-host} the default Host.
 */
final class NginxMirror {

    static final String TARGET = "mirror-target";
    static final String REQUEST_BODY = "mirror-request-body";
    static final String HOST = "mirror-host";

    private NginxMirror() {}

    /** The mirror, or {@code null} without a {@code mirror-target} or when it is invalid. */
    static @Nullable Mirror read(Map<String, String> a) {
        String value = a.get(Annotations.NGINX + TARGET);
        if (value == null || value.isBlank() || problem(TARGET, value) != null) {
            return null;
        }
        String url = value.strip();
        int start = url.indexOf("://") + 3;
        int end = authorityEnd(url, start);
        URI authority = URI.create(url.substring(0, end) + "/");
        boolean tls = authority.getScheme().equalsIgnoreCase("https");
        String host = authority.getHost();
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        String rest = url.substring(end);
        if (rest.isEmpty()) {
            rest = "/"; // nginx would send its internal /_mirror-<uid> location; the root is what a reader expects
        } else if (rest.charAt(0) == '?') {
            rest = "/" + rest;
        }
        String hostValue = a.get(Annotations.NGINX + HOST);
        NginxTemplate hostHeader = hostValue == null || hostValue.isBlank() || problem(HOST, hostValue) != null
                ? NginxTemplate.parse(host.toLowerCase(Locale.ROOT)) // ingress-nginx: the target's host name, no port
                : NginxTemplate.parse(hostValue.strip());
        String body = a.get(Annotations.NGINX + REQUEST_BODY); // anything but "off" is on, as in ingress-nginx
        return new Mirror(
                tls,
                bare,
                authority.getPort() > 0 ? authority.getPort() : tls ? 443 : 80,
                NginxTemplate.parse(rest),
                hostHeader,
                body == null || !body.strip().equals("off"));
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static @Nullable String problem(String name, String value) {
        String v = value.strip();
        return switch (name) {
            case TARGET -> targetProblem(v);
            case REQUEST_BODY -> v.equals("on") || v.equals("off") ? null : "expected \"on\" or \"off\"";
            case HOST -> v.isEmpty() ? null : NginxUpstreamHeaders.problem(NginxUpstreamHeaders.UPSTREAM_VHOST, v);
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static @Nullable String targetProblem(String value) {
        if (value.isEmpty()) {
            return "names no URL; nothing is mirrored";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return "a URL may hold only printable ASCII without spaces";
            }
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            return "expected an absolute http:// or https:// URL";
        }
        int start = value.indexOf("://") + 3;
        int end = authorityEnd(value, start);
        String authority = value.substring(start, end);
        if (authority.isEmpty()) {
            return "expected a URL whose host is written out: a variable there would let the request choose the host";
        }
        if (authority.indexOf('@') >= 0) {
            return "expected a URL without user information";
        }
        try {
            URI uri = new URI(value.substring(0, end) + "/");
            if (uri.getHost() == null || uri.getPort() == 0 || uri.getPort() > 65535) {
                return "expected a URL with a host and an optional port (1-65535)";
            }
        } catch (URISyntaxException e) {
            return "not a URL (" + e.getReason() + ")";
        }
        String rest = value.substring(end);
        if (rest.indexOf('#') >= 0) {
            return "a URL fragment (#...) is never sent";
        }
        NginxTemplate template;
        try {
            template = NginxTemplate.parse(rest);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (template.readsRequestFields()) {
            return "$http_*, $cookie_* and $remote_user are the client's to choose, never part of where a mirror goes";
        }
        List<NginxTemplate.Part> parts = template.parts();
        boolean pathFirst = rest.isEmpty()
                || rest.charAt(0) == '/'
                || rest.charAt(0) == '?'
                || parts.get(0) == NginxTemplate.Variable.REQUEST_URI; // always starts with /
        if (!pathFirst) {
            return "a variable right after the host would let the request choose the host; start the path with / or"
                    + " $request_uri";
        }
        // Stand-in values check the literal text's syntax; the data plane checks each expansion again.
        String sample = template.expand(v -> switch (v) {
            case REQUEST_URI -> "/path?a=1";
            case SERVER_PORT -> "80";
            case REMOTE_ADDR -> "192.0.2.1";
            default -> "x";
        });
        try {
            new URI("http://mirror" + (sample.startsWith("?") ? "/" + sample : sample));
        } catch (URISyntaxException e) {
            return "not a URL (" + e.getReason() + ")";
        }
        return null;
    }

    /** Where the authority that begins at {@code start} ends: at the first {@code / ? # $}, or the end. */
    private static int authorityEnd(String url, int start) {
        int end = start;
        while (end < url.length() && "/?#$".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        return end;
    }
}
