package dev.usher.proxy;

import dev.usher.routing.BasicAuth;
import dev.usher.routing.LocalRedirect;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.SourceRanges;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The per-Ingress answers Usher gives itself before any origin work, in the order ingress-nginx's location block
 * reaches them: {@code app-root} (302 for {@code /}), a location that failed closed (503), {@code permanent-redirect} /
 * {@code temporal-redirect}, then - after the HTTPS redirect, which {@link Admission} applies - the access phase:
 * source ranges (403), then Basic authentication (401).
 */
final class RouteGate {

    /** An answer: status, body reason, and a {@code Location} or {@code WWW-Authenticate} value (or null). */
    record Reply(
            HttpResponseStatus status,
            String reason,
            @Nullable String location,
            @Nullable String challenge) {}

    private RouteGate() {}

    /**
     * The rewrite-phase answers: app root, denied location, local redirect; {@code null} to go on.
     *
     * @param path the normalised origin-form target (path and query)
     * @param tls whether the client came over TLS (the app-root {@code Location} keeps the client's scheme)
     * @param host the client's host with its port as sent ({@code Host} or absolute-form authority), or null
     * @param variables the request's nginx variables, for a redirect whose location has them
     */
    static @Nullable Reply rewrite(
            RouteOptions options,
            String path,
            boolean tls,
            @Nullable String host,
            Function<NginxTemplate.Variable, String> variables) {
        if (options.appRoot() != null && host != null && isRoot(path)) {
            // ingress-nginx: return 302 $scheme://$http_host<app-root>; the host was validated by Admission
            String location = (tls ? "https://" : "http://") + host + options.appRoot();
            return new Reply(HttpResponseStatus.FOUND, "see " + location, location, null);
        }
        if (options.denied() != null) {
            return new Reply(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "this Ingress's access control could not be " + "read, so it fails closed",
                    null,
                    null);
        }
        LocalRedirect redirect = options.redirect();
        if (redirect != null) {
            String location = redirect.template() == null
                    ? redirect.location()
                    : redirect.template().expand(variables); // percent-encodes what could split the field
            return new Reply(HttpResponseStatus.valueOf(redirect.status()), "see " + location, location, null);
        }
        return null;
    }

    /**
     * Not an answer: the access phase passed under {@code satisfy: "any"} (an allowlisted address, or Basic
     * credentials), so no further authentication - the external one included - is asked for.
     */
    static final Reply SATISFIED = new Reply(HttpResponseStatus.OK, "access satisfied", null, null);

    /**
     * Not an answer: the Ingress's Basic credentials decide, once checked ({@link BasicAuthVerifier#check}, then
     * {@link #basic}).
     */
    static final Reply PASSWORD = new Reply(HttpResponseStatus.OK, "password to check", null, null);

    /**
     * The access phase's source ranges: their answer, {@code null} to go on (to external authentication, when the
     * route has one), {@link #SATISFIED} when {@code satisfy: "any"} already lets the request through, or
     * {@link #PASSWORD} when Basic authentication decides.
     *
     * <p>With {@code satisfy: "any"} (nginx's access phase): an address an allow rule names (allowlist, and not
     * denied) passes at once; an address the ranges refuse, or that only no deny rule names, is not enough and the
     * authentication decides: Basic credentials pass, or - when they fail or are not asked for - external
     * authentication decides. With neither authentication, a refused address is a 403 as with {@code "all"}.
     */
    static @Nullable Reply access(RouteOptions options, HttpRequest request, String clientIp) {
        SourceRanges ranges = options.sourceRanges();
        BasicAuth auth = options.basicAuth();
        boolean any = options.satisfyAny() && (auth != null || options.externalAuth() != null);
        if (ranges.restricts()) {
            InetAddress address = NetUtil.createInetAddressFromIpAddressString(clientIp);
            boolean admitted = address != null && ranges.admits(address);
            if (any && admitted && !ranges.allow().isEmpty()) {
                if (auth != null) { // ingress-nginx clears it whenever auth-type basic is set
                    request.headers().remove(HttpHeaderNames.AUTHORIZATION);
                }
                return SATISFIED;
            }
            if (!admitted && !any) {
                return new Reply(HttpResponseStatus.FORBIDDEN, "client address not allowed", null, null);
            }
        }
        return auth != null ? PASSWORD : null;
    }

    /**
     * The access phase's end when {@link #access} said {@link #PASSWORD}: the Basic credentials {@code passed} or not.
     * A 401, {@code null} to go on, or {@link #SATISFIED}.
     */
    static @Nullable Reply basic(RouteOptions options, HttpRequest request, boolean passed) {
        BasicAuth auth = Objects.requireNonNull(options.basicAuth(), "only a route with Basic auth checks passwords");
        boolean any = options.satisfyAny();
        if (!passed) {
            if (any && options.externalAuth() != null) {
                return null; // satisfy any: the external authentication may still let it through
            }
            return new Reply(
                    HttpResponseStatus.UNAUTHORIZED,
                    "authorization required",
                    null,
                    "Basic realm=\"" + auth.realm() + "\"");
        }
        // ingress-nginx sends the origin an empty Authorization (proxy_set_header Authorization ""): the credentials
        // are the proxy's business, never the application's.
        request.headers().remove(HttpHeaderNames.AUTHORIZATION);
        return any ? SATISFIED : null;
    }

    /** nginx's {@code $uri = /}: the path without its query is exactly {@code /}. */
    private static boolean isRoot(String target) {
        return target.equals("/") || target.startsWith("/?");
    }
}
