package dev.usher.proxy;

import dev.usher.routing.Cors;
import dev.usher.routing.Endpoint;
import dev.usher.routing.Route;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.SessionAffinity;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a route's options add to the origin's response of one exchange: the CORS fields ({@link CorsHeaders}) and the
 * session cookie ({@link CookieAffinity}). Read from the request before it is forwarded; confined to the exchange's
 * event loop.
 */
final class RouteFields {

    private final @Nullable Cors cors;
    private final Cors.@Nullable Allowed allowed;
    private final @Nullable SessionAffinity affinity;
    private final @Nullable CookieAffinity sticky;
    private final String cookiePath;
    private final boolean tls;
    private final boolean omitSameSite;

    /** The fields of a route with neither CORS nor affinity: none, the same for every request. */
    private static final RouteFields NONE = new RouteFields();

    private RouteFields() {
        this.cors = null;
        this.allowed = null;
        this.affinity = null;
        this.sticky = null;
        this.cookiePath = "/";
        this.tls = false;
        this.omitSameSite = false;
    }

    private RouteFields(Route route, HttpRequest request, LoadBalancer balancer, boolean tls) {
        RouteOptions options = route.options();
        this.cors = options.cors();
        this.allowed = cors == null ? null : cors.allow(request.headers().get(HttpHeaderNames.ORIGIN));
        this.affinity = options.affinity();
        this.sticky = affinity == null ? null : new CookieAffinity(balancer, cookie(request, affinity.cookieName()));
        String path = affinity == null || affinity.path() == null ? route.path() : affinity.path();
        // ingress-nginx's default Path is the location's; a regex location has none that fits, so "/" then
        this.cookiePath = path != null && route.regex() == null && SessionAffinity.isPath(path) ? path : "/";
        this.tls = tls;
        this.omitSameSite = affinity != null
                && affinity.conditionalSameSiteNone()
                && "None".equals(affinity.sameSite())
                && SameSiteNoneClients.rejectsNone(request.headers().get(HttpHeaderNames.USER_AGENT));
    }

    static RouteFields of(Route route, HttpRequest request, LoadBalancer balancer, boolean tls) {
        RouteOptions options = route.options();
        if (options.cors() == null && options.affinity() == null) {
            return NONE; // most routes: nothing to read from the request, nothing to add
        }
        return new RouteFields(route, request, balancer, tls);
    }

    /** The load balancer of this exchange: the sticky one with affinity, else the proxy's. */
    LoadBalancer balancer(LoadBalancer proxy) {
        return sticky != null ? sticky : proxy;
    }

    /** Adds the fields to the final response head from {@code endpoint}. */
    void apply(HttpHeaders headers, Endpoint endpoint) {
        if (cors != null) {
            CorsHeaders.addToResponse(headers, cors, allowed);
        }
        if (sticky != null
                && affinity != null // one comes with the other
                && (!sticky.matched() || affinity.changeOnFailure() && !sticky.names(endpoint))) {
            headers.add(HttpHeaderNames.SET_COOKIE, setCookie(CookieAffinity.hash(endpoint)));
        }
    }

    private String setCookie(String value) {
        SessionAffinity affinity = Objects.requireNonNull(this.affinity, "only a route with affinity sets a cookie");
        StringBuilder cookie = new StringBuilder(affinity.cookieName())
                .append('=')
                .append(value)
                .append("; Path=")
                .append(cookiePath);
        if (affinity.domain() != null) {
            cookie.append("; Domain=").append(affinity.domain());
        }
        if (affinity.expires() >= 0) {
            cookie.append("; Expires=")
                    .append(DateTimeFormatter.RFC_1123_DATE_TIME.format(
                            ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(affinity.expires())));
        }
        if (affinity.maxAge() >= 0) {
            cookie.append("; Max-Age=").append(affinity.maxAge());
        }
        if (tls || affinity.secure()) {
            cookie.append("; Secure");
        }
        cookie.append("; HttpOnly");
        if (affinity.sameSite() != null && !omitSameSite) {
            cookie.append("; SameSite=").append(affinity.sameSite());
        }
        return cookie.toString();
    }

    /** The value of the request's cookie {@code name}, or {@code null}. */
    private static @Nullable String cookie(HttpRequest request, String name) {
        for (String header : request.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie c : ServerCookieDecoder.LAX.decode(header)) {
                if (c.name().equals(name)) {
                    return c.value();
                }
            }
        }
        return null;
    }
}
