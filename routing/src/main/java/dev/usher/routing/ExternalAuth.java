package dev.usher.routing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * External authentication of an Ingress (ingress-nginx's {@code auth-url} and its companions): before a request goes
 * to the origin, the proxy asks {@code url} with the request's headers and no body; a 2xx lets the request through,
 * 401 and 403 go back to the client (401 as a 302 to {@code signin} when set), anything else is a 500.
 *
 * @param url the auth service, an absolute {@code http} or {@code https} URL once expanded ({@code auth-url})
 * @param method the method of the subrequest ({@code auth-method}, {@code GET} by default)
 * @param signin where a client the auth service answered 401 is redirected (302, {@code auth-signin}), or
 *     {@code null} to pass the 401 on
 * @param redirectParam the query parameter of {@code signin} carrying the original URL ({@code rd}, or
 *     {@code auth-signin-redirect-param}); appended only when {@code signin} does not have it already
 * @param appendRedirect whether {@code redirectParam} is appended to {@code signin} (it is not in its query yet)
 * @param responseHeaders the fields copied from the auth service's 2xx response to the request sent to the origin,
 *     replacing the client's ({@code auth-response-headers}); a field the response lacks is removed
 * @param requestRedirect sent as {@code X-Auth-Request-Redirect} ({@code auth-request-redirect}); {@code null} sends
 *     the request URI, as ingress-nginx does
 * @param alwaysSetCookie whether the auth service's {@code Set-Cookie} fields go on every response to the client
 *     ({@code auth-always-set-cookie}), not only after a 2xx verdict on a 2xx/3xx response
 * @param cacheKey what verdicts are cached under, expanded per request and hashed ({@code auth-cache-key}), or
 *     {@code null} to ask the auth service every time
 * @param cacheDurations how long a verdict of each status is cached ({@code auth-cache-duration}); key
 *     {@link #ANY_STATUS} for every status not listed
 * @param proxySetHeaders fields set on the auth service's request only ({@code auth-proxy-set-headers}: nginx's
 *     {@code proxy_set_header} in the auth location), after the fields Usher sets; each {@link HeaderEdit.Mode#SET}
 *     (its template, if any, expanded per request) or {@link HeaderEdit.Mode#CLEAR}. Never sent to the origin or the
 *     client
 */
public record ExternalAuth(
        NginxTemplate url,
        String method,
        @Nullable NginxTemplate signin,
        String redirectParam,
        boolean appendRedirect,
        List<String> responseHeaders,
        @Nullable String requestRedirect,
        boolean alwaysSetCookie,
        @Nullable NginxTemplate cacheKey,
        Map<Integer, Duration> cacheDurations,
        List<HeaderEdit> proxySetHeaders) {

    /** The key of {@link #cacheDurations} standing for nginx's {@code any}. */
    public static final int ANY_STATUS = 0;

    /**
     * The fields the proxy itself sets on every auth service request ({@code Host}, the {@code X-Original-*} ones,
     * {@code X-Scheme}, {@code X-Auth-Request-Redirect}, the forwarding fields and {@code X-Request-ID}), lower-case:
     * what the auth service judges the request by, never one of {@link #proxySetHeaders} (nginx would send both values).
     */
    public static final Set<String> OWN_FIELDS = Set.of(
            "host",
            "x-original-uri",
            "x-original-method",
            "x-original-url",
            "x-scheme",
            "x-auth-request-redirect",
            "x-request-id",
            "x-real-ip",
            "x-forwarded-for",
            "x-forwarded-proto",
            "x-forwarded-host",
            "x-forwarded-port");

    /** ingress-nginx's default {@code auth-signin-redirect-param}. */
    public static final String DEFAULT_REDIRECT_PARAM = "rd";

    public ExternalAuth {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(redirectParam, "redirectParam");
        responseHeaders = List.copyOf(Objects.requireNonNull(responseHeaders, "responseHeaders"));
        cacheDurations = Map.copyOf(Objects.requireNonNull(cacheDurations, "cacheDurations"));
        proxySetHeaders = List.copyOf(Objects.requireNonNull(proxySetHeaders, "proxySetHeaders"));
        for (HeaderEdit edit : proxySetHeaders) {
            if (edit.mode() != HeaderEdit.Mode.SET && edit.mode() != HeaderEdit.Mode.CLEAR) {
                throw new IllegalArgumentException("the auth request's fields are set or cleared: " + edit.name());
            }
            if (OWN_FIELDS.contains(edit.name())) {
                throw new IllegalArgumentException(edit.name() + " is set by the proxy on every auth request");
            }
        }
    }

    /** Without fields of its own for the auth service's request. */
    public ExternalAuth(
            NginxTemplate url,
            String method,
            @Nullable NginxTemplate signin,
            String redirectParam,
            boolean appendRedirect,
            List<String> responseHeaders,
            @Nullable String requestRedirect,
            boolean alwaysSetCookie,
            @Nullable NginxTemplate cacheKey,
            Map<Integer, Duration> cacheDurations) {
        this(
                url,
                method,
                signin,
                redirectParam,
                appendRedirect,
                responseHeaders,
                requestRedirect,
                alwaysSetCookie,
                cacheKey,
                cacheDurations,
                List.of());
    }

    /** This authentication with {@code edits} as the fields set on the auth service's request. */
    public ExternalAuth withProxySetHeaders(List<HeaderEdit> edits) {
        return new ExternalAuth(
                url,
                method,
                signin,
                redirectParam,
                appendRedirect,
                responseHeaders,
                requestRedirect,
                alwaysSetCookie,
                cacheKey,
                cacheDurations,
                edits);
    }

    /** Without cookies on every response and without a verdict cache. */
    public ExternalAuth(
            NginxTemplate url,
            String method,
            @Nullable NginxTemplate signin,
            String redirectParam,
            boolean appendRedirect,
            List<String> responseHeaders,
            @Nullable String requestRedirect) {
        this(
                url,
                method,
                signin,
                redirectParam,
                appendRedirect,
                responseHeaders,
                requestRedirect,
                false,
                null,
                Map.of());
    }

    /**
     * Whether the auth service's host or port is taken from the request: {@code $host}, {@code $best_http_host},
     * {@code $remote_addr} or {@code $request_id} (the translator refuses the last there) between {@code ://} and the
     * path ({@code https://$host/oauth2/auth}). On a rule with a host
     * that is the rule's own; on a host-less rule or a default backend it is whatever {@code Host} the client sends,
     * so a client could name an auth service of its own that answers 200: such a route fails closed instead.
     */
    public boolean hostFromRequest() {
        StringBuilder scheme = new StringBuilder();
        boolean authority = false;
        for (NginxTemplate.Part part : url.parts()) {
            if (part instanceof NginxTemplate.Literal literal) {
                String text = literal.text();
                if (!authority) {
                    scheme.append(text);
                    int at = scheme.indexOf("://");
                    if (at < 0) {
                        continue;
                    }
                    authority = true;
                    text = scheme.substring(at + 3);
                }
                for (int i = 0; i < text.length(); i++) {
                    if ("/?#".indexOf(text.charAt(i)) >= 0) {
                        return false; // the authority ended, written out
                    }
                }
            } else if (part instanceof NginxTemplate.RequestField) {
                return true; // a field the client sends (refused by the translator; never trusted here)
            } else if (authority) {
                switch ((NginxTemplate.Variable) part) {
                    case HOST, BEST_HTTP_HOST, REMOTE_ADDR, ESCAPED_REQUEST_URI, REQUEST_ID -> {
                        return true;
                    }
                    case REQUEST_URI -> {
                        return false; // always starts with /: the authority ended
                    }
                    default -> {}
                }
            }
        }
        return false;
    }

    /** How long a verdict of {@code status} is cached; zero when it is not. */
    public Duration cacheDuration(int status) {
        if (cacheKey == null) {
            return Duration.ZERO;
        }
        Duration d = cacheDurations.get(status);
        return d != null ? d : cacheDurations.getOrDefault(ANY_STATUS, Duration.ZERO);
    }
}
