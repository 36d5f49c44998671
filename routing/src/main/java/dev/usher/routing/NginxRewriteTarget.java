package dev.usher.routing;

import com.google.re2j.Matcher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's {@code rewrite-target}, parsed once: literal text, capture references {@code $0}..{@code $9} and the
 * nginx variables of {@link NginxTemplate}, as nginx's {@code rewrite "(?i)<path>" <target> break;} reads it.
 *
 * <p>A target that starts with {@code http://}, {@code https://} or {@code $scheme} is a {@link #redirect() redirect}
 * (nginx answers 302 with the expanded URL, the origin is never contacted); any other is the whole path sent upstream.
 * A redirect's host is fixed by its text: between {@code ://} and the first literal {@code /}, {@code ?} or {@code #}
 * only literal host characters and {@code $host}, {@code $best_http_host}, {@code $server_port}, {@code $service_name},
 * {@code $namespace} may appear (a {@code $request_uri} ends it), never a capture, so no request byte can name a
 * foreign host; the expansion is checked again per request. Expanded captures and variables are percent-encoded as
 * {@link NginxTemplate} encodes variables, so the result never holds a control, a space or a non-ASCII byte.
 */
public final class NginxRewriteTarget {

    private final String text;
    private final boolean redirect;
    /** Text between captures; {@code segments.size() == captures.length + 1}. */
    private final List<NginxTemplate> segments;

    private final int[] captures;
    private final boolean variables;

    private NginxRewriteTarget(String text, boolean redirect, List<NginxTemplate> segments, int[] captures) {
        this.text = text;
        this.redirect = redirect;
        this.segments = List.copyOf(segments);
        this.captures = captures;
        boolean any = false;
        for (NginxTemplate segment : segments) {
            any |= !segment.constant();
        }
        this.variables = any;
    }

    /** Whether nginx treats {@code target} as a redirect: it starts with {@code http://}, {@code https://} or {@code $scheme}. */
    public static boolean isRedirect(String target) {
        return target.regionMatches(true, 0, "http://", 0, 7)
                || target.regionMatches(true, 0, "https://", 0, 8)
                || target.startsWith("$scheme");
    }

    /**
     * Parses {@code target} (trimmed, non-empty).
     *
     * @throws IllegalArgumentException for a variable Usher does not expand, or a redirect whose host is not fixed
     */
    public static NginxRewriteTarget parse(String target) {
        List<NginxTemplate> segments = new ArrayList<>();
        List<Integer> captures = new ArrayList<>();
        int from = 0;
        for (int i = 0; i + 1 < target.length(); i++) {
            char next = target.charAt(i + 1);
            if (target.charAt(i) == '$' && next >= '0' && next <= '9') {
                segments.add(NginxTemplate.parse(target.substring(from, i)));
                captures.add(next - '0');
                from = i + 2;
                i++;
            }
        }
        segments.add(NginxTemplate.parse(target.substring(from)));
        for (NginxTemplate segment : segments) {
            for (NginxTemplate.Part part : segment.parts()) {
                if (part instanceof NginxTemplate.RequestField field) {
                    throw new IllegalArgumentException("unknown nginx variable in a rewrite-target: "
                            + field.toString().replace("${", "$").replace("}", "")
                            + " ($http_*, $cookie_* and $remote_user are not expanded there)");
                }
            }
        }
        int[] groups = captures.stream().mapToInt(Integer::intValue).toArray();
        NginxRewriteTarget parsed = new NginxRewriteTarget(target, isRedirect(target), segments, groups);
        if (parsed.redirect) {
            parsed.checkAuthority();
        }
        return parsed;
    }

    /** The target as written. */
    public String text() {
        return text;
    }

    /** Whether the client is redirected to the expansion instead of the origin being contacted. */
    public boolean redirect() {
        return redirect;
    }

    /** Whether an expansion needs the request's variables (it holds one). */
    public boolean variables() {
        return variables;
    }

    /** Whether an expansion needs a regex match (it holds a capture reference). */
    boolean captures() {
        return captures.length > 0;
    }

    /** The literal text with every capture and variable replaced by {@code x}: what the translator checks. */
    public String skeleton() {
        StringBuilder out = new StringBuilder();
        for (int s = 0; s < segments.size(); s++) {
            for (NginxTemplate.Part part : segments.get(s).parts()) {
                out.append(part instanceof NginxTemplate.Literal literal ? literal.text() : "x");
            }
            if (s < captures.length) {
                out.append('x');
            }
        }
        return out.toString();
    }

    /**
     * The path sent upstream: the expansion, a {@code /} added in front when missing. Expanded values have
     * {@code ?} and {@code #} percent-encoded too, so nothing a request holds can start a query.
     */
    String path(@Nullable Matcher match, Function<NginxTemplate.Variable, String> values) {
        Function<NginxTemplate.Variable, String> inPath = v -> pathEscaped(values.apply(v));
        StringBuilder out = expand(match, inPath, true);
        if (out.length() == 0 || out.charAt(0) != '/') {
            out.insert(0, '/');
        }
        return out.toString();
    }

    /**
     * A redirect's {@code Location}: the expansion followed, as nginx does, by the request's query ({@code query}
     * without its {@code ?}, possibly empty) after {@code ?}, or after {@code &} when the target has its own; a target
     * ending in {@code ?} drops it. {@code null} when the result is not an absolute http(s) URL with a host.
     */
    @Nullable
    String location(@Nullable Matcher match, Function<NginxTemplate.Variable, String> values, String query) {
        StringBuilder out = expand(match, values, false);
        if (text.endsWith("?")) {
            out.setLength(out.length() - 1);
        } else if (!query.isEmpty()) {
            out.append(text.indexOf('?') >= 0 ? '&' : '?');
            NginxTemplate.appendSafe(out, query);
        }
        String location = out.toString();
        return validLocation(location) ? location : null;
    }

    private StringBuilder expand(
            @Nullable Matcher match, Function<NginxTemplate.Variable, String> values, boolean rawCaptures) {
        StringBuilder out = new StringBuilder(text.length() + 32);
        for (int s = 0; s < segments.size(); s++) {
            out.append(segments.get(s).expand(values));
            if (s < captures.length && match != null) {
                int group = captures[s];
                if (group <= match.groupCount() && match.start(group) >= 0) {
                    String value = match.group(group);
                    if (rawCaptures) {
                        out.append(value); // a path's capture stays as matched, normalised afterwards
                    } else {
                        NginxTemplate.appendSafe(out, value);
                    }
                }
            }
        }
        return out;
    }

    private static String pathEscaped(String value) {
        return value.indexOf('?') < 0 && value.indexOf('#') < 0
                ? value
                : value.replace("#", "%23").replace("?", "%3F");
    }

    /** The authority of a redirect is literal host text and configuration or validated-host variables only. */
    private void checkAuthority() {
        boolean started = false; // past "://"
        for (int s = 0; s < segments.size(); s++) {
            for (NginxTemplate.Part part : segments.get(s).parts()) {
                if (part instanceof NginxTemplate.Literal literal) {
                    String t = literal.text();
                    int at = 0;
                    if (!started) {
                        int scheme = t.indexOf("://");
                        if (scheme < 0) {
                            continue; // "$scheme" then "://..."
                        }
                        started = true;
                        at = scheme + 3;
                    }
                    for (int i = at; i < t.length(); i++) {
                        char c = t.charAt(i);
                        if (c == '/' || c == '?' || c == '#') {
                            return;
                        }
                        if (!hostChar(c)) {
                            throw new IllegalArgumentException(
                                    "the host of a redirect must be a host name or address, found '" + c + "'");
                        }
                    }
                } else if (started) {
                    switch ((NginxTemplate.Variable) part) {
                        case HOST, BEST_HTTP_HOST, SERVER_PORT, SERVICE_NAME, NAMESPACE -> {}
                        case REQUEST_URI -> {
                            return; // a path: starts with '/'
                        }
                        default ->
                            throw new IllegalArgumentException("$" + ((NginxTemplate.Variable) part).nginxName()
                                    + " cannot be in the host of a redirect; only $host, $best_http_host,"
                                    + " $server_port, $service_name and $namespace can");
                    }
                } else if (part != NginxTemplate.Variable.SCHEME) {
                    throw new IllegalArgumentException("a redirect must start with http://, https:// or $scheme://");
                }
            }
            if (s < captures.length) {
                throw new IllegalArgumentException(
                        "a capture reference cannot be in the scheme or host of a redirect: the request would choose"
                                + " the host");
            }
        }
    }

    /** Whether {@code location} is printable ASCII without spaces, http(s), with a host of host characters only. */
    static boolean validLocation(String location) {
        if (!LocalRedirect.safeHeaderValue(location)) {
            return false;
        }
        int start = location.regionMatches(true, 0, "http://", 0, 7)
                ? 7
                : location.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
        if (start < 0) {
            return false;
        }
        int end = start;
        while (end < location.length() && "/?#".indexOf(location.charAt(end)) < 0) {
            if (!hostChar(location.charAt(end))) {
                return false;
            }
            end++;
        }
        return end > start && location.charAt(start) != ':';
    }

    private static boolean hostChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || ".-:[]".indexOf(c) >= 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
