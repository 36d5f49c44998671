package dev.usher.proxy;

import dev.usher.routing.Route;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * ingress-nginx's {@code rewrite-target} holding an absolute URL: nginx's {@code rewrite} answers 302 with the
 * expanded URL in the rewrite phase (after a CORS preflight and {@code permanent-redirect}, before the HTTPS redirect
 * and the access phase), and the origin is never contacted. The {@code Location} comes from
 * {@link Route#redirectLocation}: percent-encoded expansions, the host fixed by the target or the validated
 * {@code Host}; an expansion that is not a valid absolute URL is a 500, never reflected.
 */
final class NginxRewriteRedirect {

    private NginxRewriteRedirect() {}

    static RouteGate.Reply reply(
            Route route, HttpRequest request, Requests.Target target, ClientConnection conn, RequestRecord record) {
        // RequestVariables reads the request target as sent: Admission calls this before the head is rewritten
        RequestVariables variables = RequestVariables.of(request, target, conn, route, record);
        String location = route.redirectLocation(target.path(), variables);
        if (location == null) {
            return new RouteGate.Reply(
                    HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "rewrite-target did not expand to a valid absolute URL",
                    null,
                    null);
        }
        return new RouteGate.Reply(HttpResponseStatus.FOUND, "see " + location, location, null);
    }
}
