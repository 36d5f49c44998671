package dev.usher.k8s.translate;

import dev.usher.routing.ExternalAuth;
import dev.usher.routing.HeaderEdit;
import dev.usher.routing.NginxTemplate;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's external authentication: {@code auth-url} (an absolute {@code http}/{@code https} URL, nginx
 * variables allowed), {@code auth-method} ({@code GET} by default), {@code auth-signin} (where a 401 is redirected,
 * variables allowed), {@code auth-signin-redirect-param} ({@code rd}), {@code auth-response-headers} (fields copied
 * from the auth response to the origin's request) and {@code auth-request-redirect} ({@code X-Auth-Request-Redirect}).
 *
 * <p>Values are parsed once here into an {@link ExternalAuth}; variables into {@link NginxTemplate}s, so a variable
 * Usher does not expand is found now, not per request. Whatever keeps the protection from being set up as written - an
 * {@code auth-url} that is not such a URL, an unknown variable in it or in {@code auth-signin}, a method or a response
 * field name ingress-nginx would refuse - fails closed as in ingress-nginx: the Ingress's paths answer 503, and the
 * audit reports why ({@link #problem}). A bad {@code auth-signin-redirect-param} or {@code auth-request-redirect} is
 * reported and its default used: neither opens anything.
 */
final class NginxExternalAuth {

    static final String URL = "auth-url";
    static final String METHOD = "auth-method";
    static final String SIGNIN = "auth-signin";
    static final String REDIRECT_PARAM = "auth-signin-redirect-param";
    static final String RESPONSE_HEADERS = "auth-response-headers";
    static final String REQUEST_REDIRECT = "auth-request-redirect";

    private static final String FAILS_CLOSED = "; the Ingress fails closed (503)";
    private static final Pattern METHODS = Pattern.compile("GET|HEAD|POST|PUT|PATCH|DELETE|CONNECT|OPTIONS|TRACE");
    /** ingress-nginx's header name check for {@code auth-response-headers}. */
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9_-]+");

    private static final Pattern PARAM = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /**
     * Whether an auth service may not set {@code field} (lower-case) on the origin's request: framing and connection
     * management are the proxy's ({@link HeaderEdit#PROXY_OWNED}: a copied {@code Content-Length} would desynchronise
     * the origin connection), {@code Host} is routing's.
     */
    private static boolean proxyOwned(String field) {
        return HeaderEdit.PROXY_OWNED.contains(field) || field.equals("host");
    }

    private NginxExternalAuth() {}

    /** The external authentication, or {@code null} without {@code auth-url} or when it is invalid. */
    static @Nullable ExternalAuth read(Map<String, String> a) {
        String url = a.get(Annotations.NGINX + URL);
        if (url == null || denied(a) != null) {
            return null;
        }
        String method = a.get(Annotations.NGINX + METHOD);
        String signin = a.get(Annotations.NGINX + SIGNIN);
        String param = a.get(Annotations.NGINX + REDIRECT_PARAM);
        if (param == null || problem(REDIRECT_PARAM, param) != null) {
            param = ExternalAuth.DEFAULT_REDIRECT_PARAM;
        } else {
            param = param.strip();
        }
        String redirect = a.get(Annotations.NGINX + REQUEST_REDIRECT);
        if (redirect != null && (redirect.isBlank() || problem(REQUEST_REDIRECT, redirect) != null)) {
            redirect = null;
        }
        boolean hasSignin = signin != null && !signin.isBlank();
        return NginxAuthCache.apply(
                new ExternalAuth(
                        NginxTemplate.parse(url.strip()),
                        method == null || method.isBlank() ? "GET" : method.strip(),
                        hasSignin ? NginxTemplate.parse(signin.strip()) : null,
                        param,
                        hasSignin && !hasParam(signin.strip(), param),
                        headers(a.get(Annotations.NGINX + RESPONSE_HEADERS)),
                        redirect == null ? null : redirect.strip()),
                a);
    }

    /**
     * Why the Ingress fails closed because of its external authentication, or {@code null}: only with
     * {@code auth-url}, and only for the values that would otherwise let requests through unchecked or differently.
     */
    static @Nullable String denied(Map<String, String> a) {
        if (a.get(Annotations.NGINX + URL) == null) {
            return null;
        }
        for (String name : List.of(URL, METHOD, SIGNIN, RESPONSE_HEADERS)) {
            String value = a.get(Annotations.NGINX + name);
            String problem = value == null ? null : problem(name, value);
            if (problem != null) {
                return Annotations.NGINX + name + ": " + problem;
            }
        }
        return null;
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static @Nullable String problem(String name, String value) {
        String v = value.strip();
        return switch (name) {
            case URL -> v.isEmpty() ? "names no URL" + FAILS_CLOSED : urlProblem(v, FAILS_CLOSED);
            case SIGNIN -> v.isEmpty() ? null : urlProblem(v, FAILS_CLOSED);
            case METHOD ->
                v.isEmpty() || METHODS.matcher(v).matches()
                        ? null
                        : "expected an HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS, TRACE)"
                                + FAILS_CLOSED;
            case RESPONSE_HEADERS -> headersProblem(v);
            case REDIRECT_PARAM ->
                PARAM.matcher(v).matches() ? null : "expected a query parameter name of letters, digits, - and _";
            case REQUEST_REDIRECT -> printable(v) ? null : "may hold only printable ASCII";
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** What a URL's {@code $request_id} is checked as: a host name, so its place in the authority is seen. */
    private static final String REQUEST_ID_STAND_IN = "request-id-stand-in";

    /** Whether {@code value} parses and names an absolute http(s) URL with a host once its variables are expanded. */
    private static @Nullable String urlProblem(String value, String consequence) {
        if (!printable(value) || value.indexOf(' ') >= 0) {
            return "a URL may hold only printable ASCII without spaces" + consequence;
        }
        NginxTemplate template;
        try {
            template = NginxTemplate.parse(value);
        } catch (IllegalArgumentException e) {
            return e.getMessage() + consequence;
        }
        if (template.readsRequestFields()) { // a client could name the auth service, or the sign-in page
            return "$http_*, $cookie_* and $remote_user are the client's to choose, allowed in auth-cache-key only"
                    + consequence;
        }
        // Stand-in values check the literal text's syntax; the data plane checks each expansion again.
        String sample = template.expand(v -> switch (v) {
            case HOST, BEST_HTTP_HOST -> "example.com";
            case SCHEME -> "http";
            case REQUEST_URI -> "/path";
            case SERVER_PORT -> "80";
            case REMOTE_ADDR -> "192.0.2.1";
            case REQUEST_ID -> REQUEST_ID_STAND_IN;
            default -> "x";
        });
        try {
            URI uri = new URI(sample);
            if (uri.getRawAuthority() != null && uri.getRawAuthority().contains(REQUEST_ID_STAND_IN)) {
                return "$request_id (or $req_id) is the client's X-Request-ID when it sends one: never part of a host"
                        + consequence;
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return "expected an absolute http:// or https:// URL" + consequence;
            }
            if (uri.getHost() == null || uri.getRawUserInfo() != null) {
                return "expected a URL with a host and no user information" + consequence;
            }
            if (uri.getRawFragment() != null) {
                return "a URL fragment (#...) is never sent" + consequence;
            }
            return null;
        } catch (URISyntaxException e) {
            return "not a URL (" + e.getReason() + ")" + consequence;
        }
    }

    private static @Nullable String headersProblem(String value) {
        for (String part : value.split(",", -1)) {
            String field = part.strip();
            if (field.isEmpty()) {
                continue;
            }
            if (!HEADER.matcher(field).matches()) {
                return Problems.quote(field) + " is not a header name (letters, digits, - and _)" + FAILS_CLOSED;
            }
            if (proxyOwned(field.toLowerCase(Locale.ROOT))) {
                return Problems.quote(field) + " is set by the proxy itself, never copied from the auth service"
                        + FAILS_CLOSED;
            }
        }
        return null;
    }

    private static List<String> headers(@Nullable String value) {
        List<String> names = new ArrayList<>();
        if (value != null) {
            for (String part : value.split(",", -1)) {
                String field = part.strip();
                if (!field.isEmpty() && !names.contains(field.toLowerCase(Locale.ROOT))) {
                    names.add(field.toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    /** ingress-nginx appends {@code param} to the sign-in URL unless its query has that parameter already. */
    private static boolean hasParam(String signin, String param) {
        int query = signin.indexOf('?');
        if (query < 0) {
            return false;
        }
        for (String pair : signin.substring(query + 1).split("&", -1)) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(param) && eq >= 0 && eq + 1 < pair.length()) {
                return true;
            }
        }
        return false;
    }

    private static boolean printable(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
