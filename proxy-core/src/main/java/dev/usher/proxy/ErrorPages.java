package dev.usher.proxy;

import dev.usher.routing.Backend;
import dev.usher.routing.BackendRef;
import dev.usher.routing.CustomErrors;
import dev.usher.routing.Endpoint;
import dev.usher.routing.Route;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's {@code default-backend} and {@code custom-http-errors} of a route's Ingress: which route serves a
 * request whose own backend has no ready endpoint, and the fields ingress-nginx sends its error backend.
 *
 * <p>As in ingress-nginx, the error backend's response goes to the client as it is (status included: "the custom
 * backend is expected to return the correct HTTP status code"); the fields tell it what happened.
 */
final class ErrorPages {

    static final AsciiString X_CODE = AsciiString.cached("x-code");
    static final AsciiString X_FORMAT = AsciiString.cached("x-format");
    static final AsciiString X_ORIGINAL_URI = AsciiString.cached("x-original-uri");
    static final AsciiString X_NAMESPACE = AsciiString.cached("x-namespace");
    static final AsciiString X_INGRESS_NAME = AsciiString.cached("x-ingress-name");
    static final AsciiString X_SERVICE_NAME = AsciiString.cached("x-service-name");
    static final AsciiString X_SERVICE_PORT = AsciiString.cached("x-service-port");

    private ErrorPages() {}

    /**
     * The route that serves a request for {@code route} whose backend has no ready endpoint instead of a 503: its
     * Ingress's {@code default-backend}, or the controller's default backend when the Ingress lists 503 in
     * {@code custom-http-errors}; {@code null} when neither applies or that backend has no ready endpoint either.
     */
    static @Nullable Route noEndpoint(Route route) {
        CustomErrors errors = route.options().customErrors();
        Route errorRoute = route.errorRoute();
        if (errors == null || errorRoute == null || (errors.backend() == null && !errors.intercepts(503))) {
            return null;
        }
        Backend backend = Objects.requireNonNull(errorRoute.backend(), "an error route has a backend");
        return backend.endpoints().isEmpty() ? null : errorRoute;
    }

    /**
     * Sets ingress-nginx's error fields on {@code headers} (those of the request to the error backend), replacing any
     * the client sent: every value is Usher's or one the request decoder already accepted as a field value.
     *
     * @param code the status being replaced
     * @param route the route that failed (its Ingress and backend)
     * @param uri the request target the client asked for
     */
    static void fields(HttpHeaders headers, int code, Route route, String uri) {
        String accept = headers.get(HttpHeaderNames.ACCEPT);
        headers.set(X_CODE, Integer.toString(code));
        if (accept != null) {
            headers.set(X_FORMAT, accept);
        } else {
            headers.remove(X_FORMAT);
        }
        headers.set(X_ORIGINAL_URI, uri);
        headers.set(X_NAMESPACE, Objects.requireNonNullElse(route.namespace(), ""));
        headers.set(X_INGRESS_NAME, Objects.requireNonNullElse(route.ingress(), ""));
        Backend backend = route.backend();
        BackendRef ref = backend == null ? null : backend.ref();
        headers.set(X_SERVICE_NAME, ref == null ? "" : ref.service());
        headers.set(X_SERVICE_PORT, ref == null ? "" : ref.port().toString());
    }

    /**
     * What an exchange keeps to replace a listed response by the error backend's: the client's head as it came,
     * copied before the forwarding edits; {@code null} when the route's Ingress lists no codes or has no error backend
     * (then nothing is copied).
     */
    static @Nullable Original original(Route route, HttpRequest request, Admission.Decision decision) {
        CustomErrors errors = route.options().customErrors();
        if (errors == null || errors.codes().isEmpty() || route.errorRoute() == null) {
            return null;
        }
        return new Original(
                route,
                Objects.requireNonNull(decision.target(), "a proxied decision has a target"),
                HttpMethod.HEAD.equals(request.method()),
                request.headers().copy());
    }

    /** A request whose listed error status may be replaced; see {@link #original}. */
    record Original(Route route, Requests.Target target, boolean head, HttpHeaders headers) {

        /**
         * The error exchange's decision for a response with {@code code}, or {@code null} when the code is not
         * listed or the error backend has no ready endpoint (then the original response is served).
         */
        Admission.@Nullable Decision errorPage(int code, boolean keepAlive) {
            CustomErrors errors = route.options().customErrors();
            Route errorRoute = route.errorRoute();
            if (errors == null || errorRoute == null || !errors.intercepts(code)) {
                return null;
            }
            List<Endpoint> endpoints = Objects.requireNonNull(errorRoute.backend(), "an error route has a backend")
                    .endpoints();
            if (endpoints.isEmpty()) {
                return null;
            }
            return Admission.Decision.proxy(errorRoute, target, keepAlive, false, endpoints, false);
        }

        /**
         * The head sent to the error backend: a GET (HEAD stays HEAD, as nginx's {@code error_page}) of the same
         * target, without a body, with the client's fields and ingress-nginx's.
         */
        HttpRequest head(int code) {
            HttpHeaders fields = headers.copy();
            fields.remove(HttpHeaderNames.CONTENT_LENGTH);
            fields.remove(HttpHeaderNames.TRANSFER_ENCODING);
            fields.remove(HttpHeaderNames.EXPECT);
            fields.remove(HttpHeaderNames.CONTENT_TYPE);
            fields.remove(HttpHeaderNames.TRAILER);
            fields(fields, code, route, target.path());
            return new DefaultHttpRequest(
                    HttpVersion.HTTP_1_1, head ? HttpMethod.HEAD : HttpMethod.GET, target.path(), fields);
        }
    }
}
