package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.NginxOptionsTranslationTest.Row;
import dev.usher.routing.Mirror;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.RouteOptions;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code mirror-target}, {@code mirror-request-body} and {@code mirror-host}, one row per value form, the invalid ones
 * included (ingress-nginx's own parser test cases where they apply): a bad target means no mirror, never a mirror
 * whose host a request could choose.
 */
final class NginxMirrorTranslationTest extends NginxRowsTest {

    private static Mirror mirror(boolean tls, String host, int port, String target, String hostHeader, boolean body) {
        return new Mirror(tls, host, port, NginxTemplate.parse(target), NginxTemplate.parse(hostHeader), body);
    }

    static Stream<Row> rows() {
        Function<RouteOptions, Object> mirror = RouteOptions::mirror;
        return Stream.of(
                new Row(
                        N + "mirror-target: 'https://test.env.com$request_uri'",
                        mirror,
                        mirror(true, "test.env.com", 443, "$request_uri", "test.env.com", true),
                        null),
                new Row(
                        N + "mirror-target: 'https://test.env.com/$request_uri'",
                        mirror,
                        mirror(true, "test.env.com", 443, "/$request_uri", "test.env.com", true),
                        null),
                new Row( // ingress-nginx's Host is the host name without the port
                        N + "mirror-target: 'http://Test.Env.com:8080$request_uri'",
                        mirror,
                        mirror(false, "Test.Env.com", 8080, "$request_uri", "test.env.com", true),
                        null),
                new Row(
                        N + "mirror-target: 'http://localhost/mirror'",
                        mirror,
                        mirror(false, "localhost", 80, "/mirror", "localhost", true),
                        null),
                new Row(
                        N + "mirror-target: 'http://10.0.0.7:81'",
                        mirror,
                        mirror(false, "10.0.0.7", 81, "/", "10.0.0.7", true),
                        null),
                new Row(
                        N + "mirror-target: 'http://[2001:db8::1]:8080/m?from=$host&uri=$escaped_request_uri'",
                        mirror,
                        mirror(
                                false,
                                "2001:db8::1",
                                8080,
                                "/m?from=$host&uri=$escaped_request_uri",
                                "[2001:db8::1]",
                                true),
                        null),
                new Row(
                        N + "mirror-target: 'https://1.2.3.4$request_uri', " + N + "mirror-host: test.env.com, " + N
                                + "mirror-request-body: 'off'",
                        mirror,
                        mirror(true, "1.2.3.4", 443, "$request_uri", "test.env.com", false),
                        null),
                new Row(
                        N + "mirror-target: 'http://m.test$request_uri', " + N + "mirror-host: '$service_name.shadow'",
                        mirror,
                        mirror(false, "m.test", 80, "$request_uri", "$service_name.shadow", true),
                        null),
                new Row(
                        N + "mirror-target: 'http://m.test$request_uri', " + N + "mirror-request-body: 'yes'",
                        mirror,
                        mirror(false, "m.test", 80, "$request_uri", "m.test", true),
                        "mirror-request-body: invalid"),
                new Row( // ingress-nginx's invalid mirror-host: the default Host
                        N + "mirror-target: 'http://some.test.env.com', " + N + "mirror-host: '_sbrubles-i@xpto:12345'",
                        mirror,
                        mirror(false, "some.test.env.com", 80, "/", "some.test.env.com", true),
                        "mirror-host: invalid"),
                new Row(
                        N + "mirror-target: 'http://m.test$request_uri', " + N + "mirror-host: '$http_x_host'",
                        mirror,
                        mirror(false, "m.test", 80, "$request_uri", "m.test", true),
                        "mirror-host: invalid"),
                new Row(N + "mirror-target: IamNotAURL", mirror, null, "mirror-target: invalid"),
                new Row(N + "mirror-target: 'ftp://m.test/x'", mirror, null, "mirror-target: invalid"),
                new Row( // the request would choose the host: mirror$host
                        N + "mirror-target: 'http://mirror$host/x'", mirror, null, "choose the host"),
                new Row(N + "mirror-target: 'http://$host/x'", mirror, null, "choose the host"),
                new Row(N + "mirror-target: 'http://m.test$best_http_host'", mirror, null, "choose the host"),
                new Row(N + "mirror-target: 'http://m.test/$http_x_target'", mirror, null, "client's to choose"),
                new Row(N + "mirror-target: 'http://m.test/$someparam'", mirror, null, "mirror-target: invalid"),
                new Row(N + "mirror-target: 'http://user@m.test/'", mirror, null, "user information"),
                new Row(N + "mirror-target: 'http://m.test:99999/'", mirror, null, "mirror-target: invalid"),
                new Row(N + "mirror-target: 'http://m.test/a b'", mirror, null, "mirror-target: invalid"),
                new Row(N + "mirror-target: 'http://m.test/#x'", mirror, null, "fragment"),
                new Row(N + "mirror-request-body: 'off'", mirror, null, null));
    }

    @Test
    void everyKeyIsHonoured() {
        for (String key : List.of("mirror-target", "mirror-request-body", "mirror-host")) {
            assertThat(NginxHonoured.covers(key)).as(key).isTrue();
        }
    }
}
