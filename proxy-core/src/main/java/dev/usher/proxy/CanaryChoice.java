package dev.usher.proxy;

import dev.usher.routing.Backend;
import dev.usher.routing.Canary;
import dev.usher.routing.CanaryRule;
import dev.usher.routing.Endpoint;
import dev.usher.routing.Route;
import dev.usher.routing.SessionAffinity;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntUnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Picks, once per request, between a main route and its canary (ingress-nginx's {@code canary: "true"} Ingress). A
 * session already stuck to one of them by the route's affinity cookie stays there (ingress-nginx's default "sticky"
 * canary behaviour); otherwise the canary's rule decides: header, then cookie, then weight ({@link Canary#chooses}).
 * With {@code affinity-canary-behavior: legacy} a session cookie keeps a session on the main backend only: the canary's
 * route has no affinity (no cookie set, none followed). A route without a canary costs one field read.
 */
final class CanaryChoice {

    /** The default random source: the calling event loop's own {@link ThreadLocalRandom}, no contention. */
    static final IntUnaryOperator RANDOM = bound -> ThreadLocalRandom.current().nextInt(bound);

    private CanaryChoice() {}

    /** {@code route}, or its canary's route when the canary takes this request. */
    static Route route(Route route, HttpRequest request, IntUnaryOperator random) {
        Canary canary = route.canary();
        if (canary == null) {
            return route;
        }
        SessionAffinity affinity = route.options().affinity();
        if (affinity != null) {
            String session = cookie(request, affinity.cookieName());
            if (session != null) {
                if (names(route.backend(), session)) {
                    return route;
                }
                if (!canary.rule().legacyAffinity() && names(canary.route().backend(), session)) {
                    return canary.route();
                }
            }
        }
        CanaryRule rule = canary.rule();
        String header = rule.header() == null ? null : request.headers().get(rule.header());
        String cookie = rule.cookie() == null ? null : cookie(request, rule.cookie());
        return canary.chooses(header, cookie, random) ? canary.route() : route;
    }

    private static boolean names(@Nullable Backend backend, String session) {
        if (backend == null) {
            return false;
        }
        for (Endpoint endpoint : backend.endpoints()) {
            if (session.equals(CookieAffinity.hash(endpoint))) {
                return true;
            }
        }
        return false;
    }

    /** The value of the request's first cookie {@code name}, as nginx's {@code $cookie_name}, or {@code null}. */
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
