package dev.usher.proxy;

import dev.usher.routing.Backend;
import dev.usher.routing.ClientCertificateAuth;
import dev.usher.routing.Endpoint;
import dev.usher.routing.LocalRedirect;
import dev.usher.routing.PathNormalizer;
import dev.usher.routing.RateLimit;
import dev.usher.routing.Route;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Decides what becomes of a decoded request head before any origin is involved: one of Usher's own replies, or a
 * route to proxy to. Reads the routing snapshot exactly once.
 */
final class Admission {

    /**
     * The verdict. A local reply has a {@code status} (and a {@code location} for redirects, a {@code challenge} for
     * {@code WWW-Authenticate}); {@code close} says
     * whether the connection must end after it. A proxied request has its {@code route} and {@code target}, and the
     * backend's endpoint list as read once here ({@code endpoints}, never empty): the exchange balances and retries
     * over this same list, so an endpoint update in between cannot empty it under the load balancer. A CORS preflight
     * answered by Usher has its 204's fields in {@code preflight}. {@code accessSatisfied}: {@code satisfy: "any"}
     * let the request through in the access phase already, so its external authentication is not asked.
     */
    record Decision(
            @Nullable HttpResponseStatus status,
            @Nullable String reason,
            @Nullable String location,
            boolean close,
            @Nullable Route route,
            Requests.@Nullable Target target,
            boolean keepAlive,
            boolean hasBody,
            List<Endpoint> endpoints,
            @Nullable String challenge,
            @Nullable HttpHeaders preflight,
            boolean accessSatisfied,
            BasicAuthVerifier.@Nullable Pending password) {

        /** Proxied, or waiting for its {@code password} check: no reply of Usher's decided yet. */
        boolean proxied() {
            return status == null;
        }

        /** Not decided yet: Basic authentication's {@code password} check runs first ({@link #passwordChecked}). */
        static Decision awaitingPassword(
                Route route,
                Requests.Target target,
                boolean keepAlive,
                boolean hasBody,
                boolean close,
                BasicAuthVerifier.Pending password) {
            return new Decision(
                    null, null, null, close, route, target, keepAlive, hasBody, List.of(), null, null, false, password);
        }

        /** Proxied to {@code endpoints} of {@code route}. */
        static Decision proxy(
                Route route,
                Requests.Target target,
                boolean keepAlive,
                boolean hasBody,
                List<Endpoint> endpoints,
                boolean accessSatisfied) {
            return new Decision(
                    null,
                    null,
                    null,
                    false,
                    route,
                    target,
                    keepAlive,
                    hasBody,
                    endpoints,
                    null,
                    null,
                    accessSatisfied,
                    null);
        }

        static Decision reply(HttpResponseStatus status, String reason, boolean close) {
            return new Decision(
                    status, reason, null, close, null, null, false, false, List.of(), null, null, false, null);
        }

        static Decision local(RouteGate.Reply reply, boolean close) {
            return new Decision(
                    reply.status(),
                    reply.reason(),
                    reply.location(),
                    close,
                    null,
                    null,
                    false,
                    false,
                    List.of(),
                    reply.challenge(),
                    null,
                    false,
                    null);
        }
    }

    private Admission() {}

    /**
     * @param httpsPort the bound HTTPS port, named by redirects to HTTPS; -1 without an HTTPS listener
     * @param conn the client connection (its TLS server name and client certificate)
     */
    static Decision decide(
            HttpRequest request,
            ProxyContext context,
            boolean tls,
            int httpsPort,
            RequestRecord record,
            ClientConnection conn) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Requests.Refusal coding = Requests.transferEncoding(request);
            if (coding != null) {
                return Decision.reply(coding.status(), coding.reason(), true);
            }
            HttpResponseStatus status = result.cause() instanceof TooLongHttpLineException
                    ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : result.cause() instanceof TooLongHttpHeaderException
                            ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                            : HttpResponseStatus.BAD_REQUEST;
            return Decision.reply(status, "malformed or oversized request", true);
        }
        Requests.Refusal refusal = Requests.check(request);
        if (refusal != null) {
            return Decision.reply(refusal.status(), refusal.reason(), true);
        }
        Requests.Target target = Requests.target(request);
        if (target == null) {
            return Decision.reply(HttpResponseStatus.BAD_REQUEST, "unsupported request target", true);
        }
        if (target.host() != null && !RequestSyntax.hostValid(target.host())) {
            return Decision.reply(HttpResponseStatus.BAD_REQUEST, "invalid host", true);
        }
        // Route, rewrite and forward the normalised path, as nginx does: /public/../admin is /admin everywhere.
        String path = target.path().equals("*") ? target.path() : PathNormalizer.normalize(target.path());
        if (path == null) {
            return Decision.reply(
                    HttpResponseStatus.BAD_REQUEST, "path climbs above / or has a malformed escape", true);
        }
        if (path != target.path()) { // the normaliser returns the same instance when nothing changed
            target = new Requests.Target(target.host(), path);
        }
        ClientCertificateGate.removeClientFields(request.headers()); // only Usher says what the certificate was
        boolean hasBody = Requests.hasBody(request);
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !context.draining();
        boolean close = hasBody || !keepAlive; // an unread body cannot be skipped safely: close instead
        record.host(target.host());
        RoutingSnapshot snapshot = context.table().current();
        String www = snapshot.wwwRedirect(target.host()); // from-to-www-redirect: before any route, as its server is
        if (www != null && target.host() != null) {
            String location = (tls ? "https://" : "http://")
                    + www
                    + target.host()
                            .substring(Requests.hostWithoutPort(target.host()).length())
                    + target.path();
            return Decision.local(
                    new RouteGate.Reply(HttpResponseStatus.PERMANENT_REDIRECT, "use " + location, location, null),
                    close);
        }
        Route route = snapshot.route(target.host(), target.path().equals("*") ? "/" : target.path());
        record.route(route);
        if (route.isNotFound()) {
            return Decision.reply(HttpResponseStatus.NOT_FOUND, "no route", close);
        }
        RouteOptions options = route.options();
        ClientCertificateAuth clientAuth = options.clientCertificateAuth();
        if (clientAuth != null && tls) { // as nginx: checked once the head is read, before any phase of the location
            RouteGate.Reply refused = ClientCertificateGate.check(clientAuth, request.headers(), conn, target.host());
            if (refused != null) {
                return Decision.local(refused, close);
            }
        }
        long max = options.maxRequestBodyBytes(context.settings().maxRequestBodyBytes()); // the Ingress's, or global
        if (max > 0 && HttpUtil.getContentLength(request, 0L) > max) {
            return Decision.reply(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body over " + max + " bytes", true);
        }
        LocalRedirect redirect = options.redirect();
        RouteGate.Reply local = RouteGate.rewrite(
                options,
                target.path(),
                tls,
                target.host(),
                redirect != null && redirect.template() != null
                        ? RequestVariables.of(request, target, conn, route, record)
                        : RequestVariables.NONE);
        if (local != null) {
            return Decision.local(local, close);
        }
        HttpHeaders preflight = options.cors() != null && CorsHeaders.preflight(request)
                ? CorsHeaders.preflightFields(options.cors(), request)
                : null;
        if (preflight != null) { // answered here, before the HTTPS redirect and the access phase, as in nginx
            return new Decision(
                    HttpResponseStatus.NO_CONTENT,
                    "CORS preflight",
                    null,
                    close,
                    null,
                    null,
                    false,
                    false,
                    List.of(),
                    null,
                    preflight,
                    false,
                    null);
        }
        if (route.nginxRedirect() && !target.path().equals("*")) { // nginx's rewrite to an absolute URL: 302
            return Decision.local(NginxRewriteRedirect.reply(route, request, target, conn, record), close);
        }
        if (route.httpsRedirect() && !tls && target.host() != null) {
            String uri = target.path();
            if (!options.preserveTrailingSlash() && uri.endsWith("/")) {
                // ingress-nginx's default (preserve-trailing-slash: "false"): its last byte, "/" itself included
                uri = uri.substring(0, uri.length() - 1);
            }
            String location = Requests.httpsLocation(target.host(), uri, httpsPort);
            return new Decision(
                    HttpResponseStatus.PERMANENT_REDIRECT,
                    "use " + location,
                    location,
                    close,
                    route,
                    target,
                    keepAlive,
                    hasBody,
                    List.of(),
                    null,
                    null,
                    false,
                    null);
        }
        if (clientAuth != null && !tls) { // plain HTTP carries no certificate: "on" refuses, the others pass
            RouteGate.Reply refused = ClientCertificateGate.check(clientAuth, request.headers(), conn, target.host());
            if (refused != null) {
                return Decision.local(refused, close);
            }
        }
        Decision limited = limited(options.rateLimit(), route, context, record, close);
        if (limited != null) {
            return limited;
        }
        local = RouteGate.access(options, request, record.clientIp());
        if (local == RouteGate.PASSWORD) {
            BasicAuthVerifier.Check check = BasicAuthVerifier.SHARED.check(
                    Objects.requireNonNull(options.basicAuth(), "PASSWORD comes with Basic auth"),
                    request.headers().get(HttpHeaderNames.AUTHORIZATION));
            BasicAuthVerifier.Pending pending = check.pending();
            if (pending != null) { // bcrypt: the request waits for a password-check thread
                return Decision.awaitingPassword(route, target, keepAlive, hasBody, close, pending);
            }
            local = RouteGate.basic(options, request, check.passed());
        }
        return afterAccess(local, route, request, context, record, target, keepAlive, hasBody, close);
    }

    /**
     * The decision of a request that waited for its {@code password} check ({@link Decision#password()}): the
     * credentials {@code passed} or not.
     */
    static Decision passwordChecked(
            Decision waiting, HttpRequest request, ProxyContext context, RequestRecord record, boolean passed) {
        Route route = Objects.requireNonNull(waiting.route(), "a password check has a route");
        return afterAccess(
                RouteGate.basic(route.options(), request, passed),
                route,
                request,
                context,
                record,
                Objects.requireNonNull(waiting.target(), "and a target"),
                waiting.keepAlive(),
                waiting.hasBody(),
                waiting.close());
    }

    /**
     * After the access phase answered {@code local} ({@code null} or {@link RouteGate#SATISFIED} to go on): the
     * canary's choice and the endpoints, or the reply.
     */
    private static Decision afterAccess(
            RouteGate.@Nullable Reply local,
            Route route,
            HttpRequest request,
            ProxyContext context,
            RequestRecord record,
            Requests.Target target,
            boolean keepAlive,
            boolean hasBody,
            boolean close) {
        boolean satisfied = local == RouteGate.SATISFIED; // satisfy any: no external authentication either
        if (local != null && !satisfied) {
            return Decision.local(local, close);
        }
        route = CanaryChoice.route(route, request, context.canaryRandom());
        record.route(route); // the backend that serves: the canary's when it took the request
        Backend backend = Objects.requireNonNull(route.backend(), "only not found has no backend");
        if (route.upstream().refusal() != null) { // TLS verification asked for but impossible: never unverified
            return Decision.reply(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "origin TLS settings of " + backend.ref() + " are unusable",
                    close);
        }
        List<Endpoint> endpoints = backend.endpoints(); // the one read of this volatile list for the whole exchange
        Route errors = endpoints.isEmpty() ? ErrorPages.noEndpoint(route) : null;
        if (errors != null) { // ingress-nginx's default-backend: it serves instead, told why by X-Code and friends
            context.metrics().upstreamError(ProxyMetrics.UpstreamError.NO_ENDPOINT);
            ErrorPages.fields(request.headers(), HttpResponseStatus.SERVICE_UNAVAILABLE.code(), route, target.path());
            route = errors;
            record.route(route);
            endpoints = Objects.requireNonNull(route.backend(), "an error route has a backend")
                    .endpoints();
        }
        if (endpoints.isEmpty()) {
            context.metrics().upstreamError(ProxyMetrics.UpstreamError.NO_ENDPOINT);
            return Decision.reply(
                    HttpResponseStatus.SERVICE_UNAVAILABLE, "no ready endpoint for " + backend.ref(), close);
        }
        return Decision.proxy(route, target, keepAlive, hasBody, endpoints, satisfied);
    }

    /**
     * The Ingress's {@code limit-*} annotations, in nginx's preaccess phase: after the rewrite phase's answers and the
     * HTTPS redirect, before source ranges and authentication. A request that passes {@code limit-connections} holds
     * its slot in {@code record} until it ends.
     */
    private static @Nullable Decision limited(
            @Nullable RateLimit limit, Route route, ProxyContext context, RequestRecord record, boolean close) {
        if (limit == null) {
            return null;
        }
        // limits come from an Ingress's annotations, so the route has its Ingress; "" keeps a hand-built route safe
        String namespace = Objects.requireNonNullElse(route.namespace(), "");
        String ingress = Objects.requireNonNullElse(route.ingress(), "");
        RateLimiter.Limit refused = context.rateLimiter().admit(limit, namespace, ingress, record.clientIp(), record);
        if (refused == null) {
            return null;
        }
        context.metrics().rateLimited(namespace, ingress, refused);
        int status = refused == RateLimiter.Limit.CONNECTIONS
                ? context.settings().limitConnStatusCode()
                : context.settings().limitReqStatusCode();
        return Decision.reply(
                HttpResponseStatus.valueOf(status), "limit-" + refused.tag + " of this Ingress exceeded", close);
    }
}
