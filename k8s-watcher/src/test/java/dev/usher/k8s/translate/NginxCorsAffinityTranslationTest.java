package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.NginxOptionsTranslationTest.Row;
import dev.usher.routing.Cors;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.SessionAffinity;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's CORS and cookie affinity annotations, one row per annotation and value form: the route option they
 * become (with ingress-nginx's defaults) and the problem reported for a bad value, whose default is then kept; each row
 * is checked as {@link NginxOptionsTranslationTest} checks its own.
 */
final class NginxCorsAffinityTranslationTest extends NginxRowsTest {

    private static final String ON = N + "enable-cors: 'true', ";
    private static final String COOKIE = N + "affinity: cookie, ";
    private static final Cors DEFAULT_CORS =
            new Cors(List.of("*"), NginxCors.DEFAULT_METHODS, NginxCors.DEFAULT_HEADERS, "", true, 1_728_000);
    private static final SessionAffinity DEFAULT_AFFINITY =
            new SessionAffinity("INGRESSCOOKIE", null, -1, -1, null, false, false, null, false);

    static Stream<Row> rows() {
        Function<RouteOptions, Object> cors = RouteOptions::cors;
        Function<RouteOptions, Object> origins = o -> o.cors().allowOrigins();
        Function<RouteOptions, Object> methods = o -> o.cors().allowMethods();
        Function<RouteOptions, Object> headers = o -> o.cors().allowHeaders();
        Function<RouteOptions, Object> expose = o -> o.cors().exposeHeaders();
        Function<RouteOptions, Object> credentials = o -> o.cors().allowCredentials();
        Function<RouteOptions, Object> maxAge = o -> o.cors().maxAge();
        Function<RouteOptions, Object> affinity = RouteOptions::affinity;
        return Stream.of(
                new Row(N + "enable-cors: 'true'", cors, DEFAULT_CORS, null),
                new Row(N + "enable-cors: 'false', " + N + "cors-allow-origin: 'https://a.example'", cors, null, null),
                new Row(N + "cors-allow-origin: 'https://a.example'", cors, null, null),
                new Row(N + "enable-cors: 'yes'", cors, null, "enable-cors: invalid"),
                new Row(
                        ON + N + "cors-allow-origin: 'https://a.example, http://B.example:8080'",
                        origins,
                        List.of("https://a.example", "http://b.example:8080"),
                        null),
                new Row(
                        ON + N + "cors-allow-origin: 'https://*.example.com'",
                        origins,
                        List.of("https://*.example.com"),
                        null),
                new Row(ON + N + "cors-allow-origin: '*'", origins, List.of("*"), null),
                new Row(
                        ON + N + "cors-allow-origin: 'https://a.example, javascript:alert(1)'",
                        origins,
                        List.of("https://a.example"),
                        "cors-allow-origin: invalid"),
                new Row(
                        ON + N + "cors-allow-origin: \"https://a.example\\r\\nSet-Cookie: x=1\"",
                        origins,
                        List.of(),
                        "cors-allow-origin: invalid"),
                new Row(ON + N + "cors-allow-origin: 'a.example'", origins, List.of(), "is not an origin"),
                new Row(ON + N + "cors-allow-methods: 'PUT,GET'", methods, "PUT, GET", null),
                new Row(
                        ON + N + "cors-allow-methods: 'PUT;GET'",
                        methods,
                        NginxCors.DEFAULT_METHODS,
                        "cors-allow-methods: invalid"),
                new Row(
                        ON + N + "cors-allow-headers: 'X-Forwarded-For, X-App-123'",
                        headers,
                        "X-Forwarded-For, X-App-123",
                        null),
                new Row(
                        ON + N + "cors-allow-headers: \"X-A\\r\\nX-B: 1\"",
                        headers,
                        NginxCors.DEFAULT_HEADERS,
                        "cors-allow-headers: invalid"),
                new Row(ON + N + "cors-expose-headers: 'X-Total, *'", expose, "X-Total, *", null),
                new Row(ON + N + "cors-expose-headers: 'X(Y)'", expose, "", "cors-expose-headers: invalid"),
                new Row(ON + N + "cors-allow-credentials: 'false'", credentials, false, null),
                new Row(ON + N + "cors-allow-credentials: 'maybe'", credentials, true, "invalid"),
                new Row(ON + N + "cors-max-age: '600'", maxAge, 600L, null),
                new Row(ON + N + "cors-max-age: 10m", maxAge, 1_728_000L, "cors-max-age: invalid"),
                new Row(N + "affinity: cookie", affinity, DEFAULT_AFFINITY, null),
                new Row(N + "affinity: ip", affinity, null, "affinity: invalid"),
                new Row(COOKIE + N + "affinity-mode: persistent", affinity, DEFAULT_AFFINITY, null),
                new Row(COOKIE + N + "affinity-mode: sticky", affinity, DEFAULT_AFFINITY, "affinity-mode: invalid"),
                new Row(
                        COOKIE + N + "session-cookie-name: route, " + N + "session-cookie-path: /app, "
                                + N + "session-cookie-max-age: '172800', " + N + "session-cookie-expires: '3600', "
                                + N + "session-cookie-samesite: lax, " + N + "session-cookie-secure: 'true', "
                                + N + "session-cookie-change-on-failure: 'true', "
                                + N + "session-cookie-domain: .example.com, "
                                + N + "session-cookie-conditional-samesite-none: 'true'",
                        affinity,
                        new SessionAffinity("route", "/app", 172_800, 3600, "Lax", true, true, ".example.com", true),
                        null),
                new Row(
                        COOKIE + N + "session-cookie-domain: 'example.com; Secure'",
                        affinity,
                        DEFAULT_AFFINITY,
                        "session-cookie-domain: invalid"),
                new Row(
                        COOKIE + N + "session-cookie-domain: '-bad-.example'",
                        affinity,
                        DEFAULT_AFFINITY,
                        "session-cookie-domain: invalid"),
                new Row(
                        COOKIE + N + "session-cookie-conditional-samesite-none: 'sometimes'",
                        affinity,
                        DEFAULT_AFFINITY,
                        "session-cookie-conditional-samesite-none: invalid"),
                new Row(
                        COOKIE + N + "session-cookie-name: 'a=b'",
                        affinity,
                        DEFAULT_AFFINITY,
                        "session-cookie-name: invalid"),
                new Row(
                        COOKIE + N + "session-cookie-path: '/a; Domain=evil.example'",
                        affinity,
                        DEFAULT_AFFINITY,
                        "session-cookie-path: invalid"),
                new Row(
                        COOKIE + N + "session-cookie-max-age: 2d",
                        affinity,
                        DEFAULT_AFFINITY,
                        "session-cookie-max-age: invalid"),
                new Row(
                        COOKIE + N + "session-cookie-samesite: Sometimes",
                        affinity,
                        DEFAULT_AFFINITY,
                        "session-cookie-samesite: invalid"));
    }

    @Test
    void everyCorsAndAffinityKeyIsHonoured() {
        for (String key : List.of(
                "enable-cors",
                "cors-allow-origin",
                "cors-allow-methods",
                "cors-allow-headers",
                "cors-expose-headers",
                "cors-allow-credentials",
                "cors-max-age",
                "affinity",
                "affinity-mode",
                "session-cookie-name",
                "session-cookie-path",
                "session-cookie-max-age",
                "session-cookie-expires",
                "session-cookie-samesite",
                "session-cookie-secure",
                "session-cookie-change-on-failure",
                "session-cookie-domain",
                "session-cookie-conditional-samesite-none")) {
            assertThat(NginxHonoured.covers(key)).as(key).isTrue();
        }
    }
}
