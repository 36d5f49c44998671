package dev.usher.k8s.translate;

import static dev.usher.k8s.translate.Yaml.OUR_CLASS;
import static dev.usher.k8s.translate.Yaml.ingress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.AddressBlock;
import dev.usher.routing.LocalRedirect;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RouteTimeouts;
import dev.usher.routing.SourceRanges;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ingress-nginx annotations Usher turns into route options, one row per annotation and value form: what the
 * option becomes, and the problem reported (none for a good value; the annotation audit's "invalid" for a bad one, the
 * default kept - or, for access control, the Ingress failing closed).
 */
final class NginxOptionsTranslationTest {

    private static final String N = "nginx.ingress.kubernetes.io/";

    record Row(String annotations, Function<RouteOptions, Object> option, Object expected, String problem) {
        @Override
        public String toString() {
            return annotations + " -> " + expected + (problem == null ? "" : " + " + problem);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void annotation_becomesTheRouteOption_andBadValuesAreReported(Row row) {
        String annotated = ingress("a", "a.example.com", "alpaca", 8080)
                .replace("namespace: default}", "namespace: default, annotations: {" + row.annotations() + "}}");
        Translation t = Translator.translate(Yaml.kube(OUR_CLASS, annotated), WatcherSettings.defaults());

        assertThat(t.ruleSets()).hasSize(1);
        assertThat(row.option().apply(t.ruleSets().get(0).options())).isEqualTo(row.expected());
        List<String> own = t.problems().stream()
                .map(Problem::message)
                .filter(m -> !m.contains("Service default/alpaca not found"))
                .toList();
        if (row.problem() == null) {
            assertThat(own).isEmpty();
        } else {
            assertThat(own)
                    .singleElement()
                    .asString()
                    .startsWith("annotation " + N)
                    .contains(row.problem());
        }
    }

    static Stream<Row> rows() {
        Function<RouteOptions, Object> body = RouteOptions::maxRequestBodyBytes;
        Function<RouteOptions, Object> timeouts = RouteOptions::timeouts;
        Function<RouteOptions, Object> redirect = RouteOptions::redirect;
        Function<RouteOptions, Object> ranges = RouteOptions::sourceRanges;
        Function<RouteOptions, Object> denied = o -> o.denied() != null;
        long global = RouteOptions.GLOBAL_BODY_LIMIT;
        return Stream.of(
                new Row(N + "configuration-snippet: 'allow 10.0.0.0/8; deny all;'", denied, true, "fails closed"),
                new Row(
                        N + "configuration-snippet: 'if ($http_x_token != \"s3cret\") { return 403; }'",
                        denied,
                        true,
                        "('return 403'), so the Ingress fails closed (503)"),
                new Row(N + "server-snippet: 'location /admin { deny all; }'", denied, true, "fails closed"),
                new Row(N + "server-snippet: 'return 200;'", denied, false, "server-snippet: refused"),
                new Row(
                        N + "configuration-snippet: 'more_set_headers \"X-Frame-Options: DENY\";'",
                        denied,
                        false,
                        null),
                new Row(N + "proxy-body-size: 8m", body, 8L << 20, null),
                new Row(N + "proxy-body-size: 1G", body, 1L << 30, null),
                new Row(N + "proxy-body-size: 512k", body, 512L << 10, null),
                new Row(N + "proxy-body-size: '1000'", body, 1000L, null),
                new Row(N + "proxy-body-size: '0'", body, 0L, null),
                new Row(N + "proxy-body-size: abc", body, global, "proxy-body-size: invalid: "),
                new Row(N + "proxy-body-size: 8mb", body, global, "invalid"),
                new Row(N + "proxy-body-size: '-1'", body, global, "invalid"),
                new Row(N + "proxy-body-size: 99999999999999999999g", body, global, "invalid"),
                new Row(
                        N + "proxy-read-timeout: '3600'",
                        timeouts,
                        new RouteTimeouts(null, Duration.ofHours(1), null),
                        null),
                new Row(
                        N + "proxy-send-timeout: '120', " + N + "proxy-connect-timeout: '2'",
                        timeouts,
                        new RouteTimeouts(Duration.ofSeconds(2), null, Duration.ofSeconds(120)),
                        null),
                new Row(N + "proxy-read-timeout: 60s", timeouts, RouteTimeouts.NONE, "proxy-read-timeout: invalid"),
                new Row(N + "proxy-connect-timeout: '0'", timeouts, RouteTimeouts.NONE, "invalid"),
                new Row(N + "force-ssl-redirect: 'true'", RouteOptions::forceSslRedirect, true, null),
                new Row(N + "force-ssl-redirect: 'false'", RouteOptions::forceSslRedirect, false, null),
                new Row(N + "force-ssl-redirect: 'yes'", RouteOptions::forceSslRedirect, false, "invalid"),
                new Row(
                        N + "permanent-redirect: https://new.example.com/x?y=1",
                        redirect,
                        new LocalRedirect("https://new.example.com/x?y=1", 301),
                        null),
                new Row(
                        N + "permanent-redirect: https://n.example.com, " + N + "permanent-redirect-code: '308'",
                        redirect,
                        new LocalRedirect("https://n.example.com", 308),
                        null),
                new Row(
                        N + "permanent-redirect: https://n.example.com, " + N + "permanent-redirect-code: '200'",
                        redirect,
                        new LocalRedirect("https://n.example.com", 301),
                        "permanent-redirect-code: invalid"),
                new Row(
                        N + "temporal-redirect: http://t.example.com/",
                        redirect,
                        new LocalRedirect("http://t.example.com/", 302),
                        null),
                new Row(
                        N + "temporal-redirect: http://t.example.com, " + N + "temporal-redirect-code: '307', " + N
                                + "permanent-redirect: https://p.example.com",
                        redirect,
                        new LocalRedirect("http://t.example.com", 307),
                        null),
                new Row(
                        N + "permanent-redirect: \"https://x.example.com/\\r\\nSet-Cookie: a=b\"",
                        redirect,
                        null,
                        "permanent-redirect: invalid"),
                new Row(N + "permanent-redirect: https://x.example.com$request_uri", redirect, null, "not allowed"),
                new Row(N + "permanent-redirect: javascript:alert(1)", redirect, null, "invalid"),
                new Row(N + "permanent-redirect: /relative", redirect, null, "absolute http"),
                new Row(N + "app-root: /app1", RouteOptions::appRoot, "/app1", null),
                new Row(N + "app-root: https://evil.example.com", RouteOptions::appRoot, null, "app-root: invalid"),
                new Row(N + "app-root: //evil.example.com", RouteOptions::appRoot, null, "invalid"),
                new Row(
                        N + "upstream-vhost: api.internal.example:8080",
                        RouteOptions::upstreamVhost,
                        "api.internal.example:8080",
                        null),
                new Row(
                        N + "upstream-vhost: \"evil.example.com\\r\\nX-Injected: 1\"",
                        RouteOptions::upstreamVhost,
                        null,
                        "upstream-vhost: invalid"),
                new Row(
                        N + "upstream-vhost: $service_name.$namespace.svc.cluster.local",
                        RouteOptions::upstreamVhost,
                        "$service_name.$namespace.svc.cluster.local",
                        null),
                new Row(N + "upstream-vhost: $host", RouteOptions::upstreamVhost, "$host", null),
                new Row(
                        N + "upstream-vhost: '${host}.internal:$server_port'",
                        RouteOptions::upstreamVhost,
                        "${host}.internal:$server_port",
                        null),
                new Row(N + "upstream-vhost: $remote_addr", RouteOptions::upstreamVhost, null, "cannot be in a Host"),
                new Row(
                        N + "upstream-vhost: $http_x_host",
                        RouteOptions::upstreamVhost,
                        null,
                        "unknown nginx variable"),
                new Row(N + "upstream-vhost: '$host/x'", RouteOptions::upstreamVhost, null, "host name or address"),
                new Row(N + "x-forwarded-prefix: /api", RouteOptions::forwardedPrefix, "/api", null),
                new Row(
                        N + "x-forwarded-prefix: \"/a\\u0000b\"",
                        RouteOptions::forwardedPrefix,
                        null,
                        "x-forwarded-prefix: invalid"),
                new Row(
                        N + "whitelist-source-range: '10.0.0.0/8, 192.0.2.7'",
                        ranges,
                        new SourceRanges(
                                List.of(AddressBlock.parse("10.0.0.0/8"), AddressBlock.parse("192.0.2.7")), List.of()),
                        null),
                new Row(
                        N + "allowlist-source-range: 10.1.0.0/16, " + N + "whitelist-source-range: 10.2.0.0/16",
                        ranges,
                        new SourceRanges(List.of(AddressBlock.parse("10.1.0.0/16")), List.of()),
                        null),
                new Row(
                        N + "denylist-source-range: '2001:db8::/32'",
                        ranges,
                        new SourceRanges(List.of(), List.of(AddressBlock.parse("2001:db8::/32"))),
                        null),
                new Row(
                        N + "whitelist-source-range: '10.0.0.0/8,not-an-ip'",
                        denied,
                        true,
                        "whitelist-source-range: invalid: "),
                new Row(N + "denylist-source-range: 10.0.0.0/33", denied, true, "fails closed"),
                new Row(N + "whitelist-source-range: 10.0.0.0/8", denied, false, null),
                new Row(N + "satisfy: any", RouteOptions::satisfyAny, true, null),
                new Row(N + "satisfy: all", RouteOptions::satisfyAny, false, null),
                new Row(N + "satisfy: ' any '", RouteOptions::satisfyAny, true, null),
                new Row(N + "satisfy: ANY", RouteOptions::satisfyAny, false, "treated as \"all\""),
                new Row(N + "satisfy: either", RouteOptions::satisfyAny, false, "access control fails closed"));
    }
}
