package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.Annotations.Status;
import dev.usher.k8s.translate.NginxOptionsTranslationTest.Row;
import dev.usher.routing.ExternalAuth;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.RouteOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's external authentication annotations, one row per annotation and value form: the
 * {@link ExternalAuth} they become, and for a bad value the problem reported and, where ingress-nginx denies the
 * location, the Ingress failing closed (503 via {@link RouteOptions#denied()}); each row is checked as
 * {@link NginxOptionsTranslationTest} checks its own.
 */
final class NginxExternalAuthTranslationTest extends NginxRowsTest {

    private static final String URL = N + "auth-url: 'http://auth.example/check'";

    private static ExternalAuth auth(
            String url, String method, String signin, boolean append, List<String> fields, String redirect) {
        return new ExternalAuth(
                NginxTemplate.parse(url),
                method,
                signin == null ? null : NginxTemplate.parse(signin),
                "rd",
                append,
                fields,
                redirect);
    }

    static Stream<Row> rows() {
        Function<RouteOptions, Object> auth = RouteOptions::externalAuth;
        Function<RouteOptions, Object> denied = o -> o.denied() != null;
        String check = "http://auth.example/check";
        Function<RouteOptions, Object> always =
                o -> o.externalAuth() == null ? null : o.externalAuth().alwaysSetCookie();
        Function<RouteOptions, Object> cacheKey =
                o -> o.externalAuth() == null || o.externalAuth().cacheKey() == null
                        ? null
                        : o.externalAuth().cacheKey().toString();
        Function<RouteOptions, Object> durations =
                o -> o.externalAuth() == null || o.externalAuth().cacheKey() == null
                        ? null
                        : o.externalAuth().cacheDurations();
        Duration minutes5 = Duration.ofMinutes(5);
        return Stream.of(
                new Row(URL, auth, auth(check, "GET", null, false, List.of(), null), null),
                new Row(
                        N + "auth-url: 'https://$host/oauth2/auth', " + N
                                + "auth-signin: 'https://$host/oauth2/start?rd=$escaped_request_uri'",
                        auth,
                        auth(
                                "https://$host/oauth2/auth",
                                "GET",
                                "https://$host/oauth2/start?rd=$escaped_request_uri",
                                false,
                                List.of(),
                                null),
                        null),
                new Row(
                        URL + ", " + N + "auth-signin: 'http://$host/auth/start'",
                        auth,
                        auth(check, "GET", "http://$host/auth/start", true, List.of(), null),
                        null),
                new Row(
                        URL + ", " + N + "auth-method: POST, " + N
                                + "auth-response-headers: 'X-Auth-Request-User, X-Auth-Request-Email', " + N
                                + "auth-request-redirect: 'https://app.example/after'",
                        auth,
                        auth(
                                check,
                                "POST",
                                null,
                                false,
                                List.of("x-auth-request-user", "x-auth-request-email"),
                                "https://app.example/after"),
                        null),
                new Row(
                        N + "auth-url: 'http://$service_name.$namespace.svc.cluster.local:4180/oauth2/auth'",
                        auth,
                        auth(
                                "http://$service_name.$namespace.svc.cluster.local:4180/oauth2/auth",
                                "GET",
                                null,
                                false,
                                List.of(),
                                null),
                        null),
                new Row(
                        URL + ", " + N + "auth-signin: 'https://login.example/start?next=1', " + N
                                + "auth-signin-redirect-param: next",
                        o -> o.externalAuth() == null ? null : o.externalAuth().appendRedirect(),
                        false,
                        null),
                // invalid: ingress-nginx denies the location, Usher fails closed with 503
                new Row(N + "auth-url: 'auth.example/check'", denied, true, "auth-url: invalid"),
                new Row(N + "auth-url: 'ftp://auth.example/check'", denied, true, "http:// or https://"),
                new Row(N + "auth-url: 'http:///check'", denied, true, "fails closed"),
                new Row(N + "auth-url: ''", denied, true, "names no URL"),
                new Row(N + "auth-url: 'http://auth.example/$cookie_session'", denied, true, "auth-cache-key only"),
                new Row(N + "auth-url: 'http://$http_x_auth/check'", denied, true, "auth-cache-key only"),
                new Row(N + "auth-url: 'http://auth.example/${host'", denied, true, "not closed"),
                new Row(URL + ", " + N + "auth-method: FETCH", denied, true, "auth-method: invalid"),
                new Row(
                        URL + ", " + N + "auth-signin: 'https://$http_x_next/login'",
                        denied,
                        true,
                        "auth-cache-key only"),
                new Row(URL + ", " + N + "auth-response-headers: 'X-User, X User'", denied, true, "not a header"),
                new Row(
                        URL + ", " + N + "auth-response-headers: 'X-User, Content-Length'",
                        denied,
                        true,
                        "set by the proxy"),
                new Row(URL, denied, false, null),
                // ignored with a report: neither opens anything
                new Row(
                        URL + ", " + N + "auth-signin-redirect-param: 'r d'",
                        o -> o.externalAuth() == null ? null : o.externalAuth().redirectParam(),
                        "rd",
                        "auth-signin-redirect-param: invalid"),
                new Row(N + "auth-method: POST", auth, null, null),
                // cookies and the verdict cache: a bad value is reported and ignored, the auth service still asked
                new Row(URL, always, false, null),
                new Row(URL + ", " + N + "auth-always-set-cookie: 'true'", always, true, null),
                new Row(
                        URL + ", " + N + "auth-always-set-cookie: 'yes'",
                        always,
                        false,
                        "auth-always-set-cookie: invalid"),
                new Row(
                        URL + ", " + N + "auth-cache-key: '$remote_user$http_authorization'",
                        cacheKey,
                        "${remote_user}${http_authorization}",
                        null),
                new Row(
                        URL + ", " + N + "auth-cache-key: '$remote_user$http_authorization'",
                        durations,
                        Map.of(200, minutes5, 202, minutes5, 401, minutes5),
                        null),
                new Row(
                        URL + ", " + N + "auth-cache-key: '$cookie__oauth2_proxy', " + N
                                + "auth-cache-duration: '200 201 10m, 401 30s'",
                        durations,
                        Map.of(200, Duration.ofMinutes(10), 201, Duration.ofMinutes(10), 401, Duration.ofSeconds(30)),
                        null),
                new Row(
                        URL + ", " + N + "auth-cache-key: '$http_x_api_key', " + N + "auth-cache-duration: 'any 1h'",
                        durations,
                        Map.of(ExternalAuth.ANY_STATUS, Duration.ofHours(1)),
                        null),
                new Row(
                        URL + ", " + N + "auth-cache-key: '$http_x_api_key', " + N + "auth-cache-duration: '90'",
                        durations,
                        Map.of(200, Duration.ofSeconds(90), 301, Duration.ofSeconds(90), 302, Duration.ofSeconds(90)),
                        null),
                new Row(
                        URL + ", " + N + "auth-cache-key: '$http_authorization', " + N
                                + "auth-cache-duration: '200 five'",
                        cacheKey,
                        null,
                        "auth-cache-duration: invalid"),
                new Row(
                        URL + ", " + N + "auth-cache-key: '$http_authorization', " + N
                                + "auth-cache-duration: '600 5m'",
                        cacheKey,
                        null,
                        "auth-cache-duration: invalid"),
                new Row(URL + ", " + N + "auth-cache-key: '$request_time'", cacheKey, null, "auth-cache-key: invalid"),
                new Row(URL + ", " + N + "auth-cache-duration: '200 5m'", cacheKey, null, null));
    }

    @Test
    void everyExternalAuthKeyIsHonoured() {
        for (String key : List.of(
                "auth-url",
                "auth-method",
                "auth-signin",
                "auth-signin-redirect-param",
                "auth-response-headers",
                "auth-request-redirect",
                "auth-always-set-cookie",
                "auth-cache-key",
                "auth-cache-duration")) {
            assertThat(NginxHonoured.covers(key)).as(key).isTrue();
        }
        assertThat(Annotations.classify(N + "auth-url", "https://$host/oauth2/auth")
                        .status())
                .isEqualTo(Status.HONOURED);
        assertThat(Annotations.classify(N + "auth-url", "http://a/$request_time")
                        .reason())
                .contains("fails closed");
        assertThat(Annotations.classify(N + "auth-url", "http://a/check?rid=$req_id")
                        .status())
                .isEqualTo(Status.HONOURED);
        for (String clientsHost :
                List.of("http://$req_id/check", "https://auth.$request_id:8443/", "http://a:$req_id/")) {
            assertThat(Annotations.classify(N + "auth-url", clientsHost).reason()) // X-Request-ID: evil.example
                    .as(clientsHost)
                    .contains("never part of a host")
                    .contains("fails closed");
        }
        assertThat(Annotations.classify(N + "auth-cache-key", "$remote_user$http_authorization")
                        .status())
                .isEqualTo(Status.HONOURED);
        assertThat(Annotations.classify(N + "auth-cache-duration", "200 202 401 5m")
                        .status())
                .isEqualTo(Status.HONOURED);
        assertThat(Annotations.classify(N + "auth-keepalive", "10").status()).isEqualTo(Status.NO_EFFECT);
    }

    @Test
    void anAuthHostFromTheRequest_isReported_whenARuleHasNoHostOrThereIsADefaultBackend() {
        String annotations = "namespace: default, annotations: {" + N + "auth-url: 'https://$host/oauth2/auth'}}";
        String hosted = Yaml.ingress("hosted", "a.example.com", "svc", 80).replace("namespace: default}", annotations);
        String hostless = hosted.replace("name: hosted", "name: hostless").replace("- host: a.example.com\n    ", "- ");
        String withDefault = hosted.replace("name: hosted", "name: with-default")
                .replace("  rules:", "  defaultBackend: {service: {name: svc, port: {number: 80}}}\n  rules:");
        String fixed = hostless.replace("name: hostless", "name: fixed").replace("$host", "auth.example.com");
        Translation t = Translator.translate(
                Yaml.kube(Yaml.OUR_CLASS, hosted, hostless, withDefault, fixed), WatcherSettings.defaults());

        assertThat(t.ruleSets()).hasSize(4);
        assertThat(t.problems().stream()
                        .filter(p -> p.message().contains("auth-url"))
                        .map(p -> p.source() + ": " + p.message()))
                .hasSize(2)
                .allMatch(m -> m.contains("any client chooses on a rule without a host or the default backend"))
                .anyMatch(m -> m.contains("hostless"))
                .anyMatch(m -> m.contains("with-default"));
    }

    @Test
    void deniedSaysWhichAnnotation() {
        assertThat(NginxExternalAuth.denied(Map.of(N + "auth-url", "http://a/x", N + "auth-method", "GIT")))
                .startsWith(N + "auth-method: ");
        assertThat(NginxExternalAuth.denied(Map.of(N + "auth-method", "GIT"))).isNull();
    }
}
