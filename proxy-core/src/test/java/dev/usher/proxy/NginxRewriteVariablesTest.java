package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.NginxPaths;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.RouteOptions;
import io.netty.handler.codec.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code rewrite-target} with nginx variables and as an absolute URL, on real sockets: the path the
 * origin receives, and the 302 Usher answers itself (the origin never contacted), its {@code Location} never holding
 * a byte or a host the request chose.
 */
final class NginxRewriteVariablesTest {

    private static OptionsFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new OptionsFixture(
                ProxySettings.defaults(),
                Map.of(
                        "vars.test", target("/$host/$2"),
                        "svc.test", target("/${namespace}/$service_name/$2"),
                        "abs.test", target("https://new.example.com/v2/$2"),
                        "absq.test", target("https://new.example.com/login?rd=$escaped_request_uri"),
                        "absdrop.test", target("https://new.example.com/$2?"),
                        "abshost.test", target("$scheme://$host/new/$2"),
                        "vh.test", vhost("${host}.internal:$server_port"),
                        "vhbad.test", vhost("$best_http_host.internal")),
                new PathRule("/api(/|$)(.*)", PathType.IMPLEMENTATION_SPECIFIC, OptionsFixture.APP));
    }

    private static RouteOptions target(String rewriteTarget) {
        return RouteOptions.builder()
                .nginxPaths(new NginxPaths(false, rewriteTarget))
                .build();
    }

    private static RouteOptions vhost(String upstreamVhost) {
        return RouteOptions.builder()
                .nginxPaths(new NginxPaths(true, null))
                .upstreamVhost(upstreamVhost)
                .build();
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void hostInAPathTarget_isTheRequestsHost_withoutItsPort_andTheQueryIsKept() throws Exception {
        HttpResponse<String> res = fixture.get("vars.test:8080", "/api/x/y?q=1");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(uris("vars.test:8080")).containsExactly("/vars.test/x/y?q=1");
    }

    @Test
    void serviceAndNamespaceInAPathTarget_areTheRoutesBackend() throws Exception {
        assertThat(fixture.get("svc.test", "/API/z").statusCode()).isEqualTo(200);

        assertThat(uris("svc.test")).containsExactly("/default/app/z");
    }

    @Test
    void absoluteTarget_answers302_withTheCaptureAndTheQueryAppended_andNeverContactsTheOrigin() throws Exception {
        HttpResponse<String> res = fixture.get("abs.test", "/api/items/7?page=2&x=a");

        assertThat(res.statusCode()).isEqualTo(302);
        assertThat(res.headers().firstValue("Location")).hasValue("https://new.example.com/v2/items/7?page=2&x=a");
        assertThat(uris("abs.test")).isEmpty();
    }

    @Test
    void absoluteTargetWithItsOwnQuery_getsTheOriginalQueryAfterAnAmpersand() throws Exception {
        HttpResponse<String> res = fixture.get("absq.test", "/api/a?b=c");

        assertThat(res.statusCode()).isEqualTo(302);
        assertThat(res.headers().firstValue("Location"))
                .hasValue("https://new.example.com/login?rd=%2Fapi%2Fa%3Fb%3Dc&b=c");
    }

    @Test
    void absoluteTargetEndingInAQuestionMark_dropsTheQuery() throws Exception {
        HttpResponse<String> res = fixture.get("absdrop.test", "/api/a?b=c");

        assertThat(res.headers().firstValue("Location")).hasValue("https://new.example.com/a");
    }

    @Test
    void schemeAndHostInAnAbsoluteTarget_areTheClientsValidatedOnes() throws Exception {
        HttpResponse<String> res = fixture.get("abshost.test", "/api/p");

        assertThat(res.statusCode()).isEqualTo(302);
        assertThat(res.headers().firstValue("Location")).hasValue("http://abshost.test/new/p");
    }

    @Test
    void aPathThatLooksLikeAnotherHost_staysInThePathOfTheLocation() throws Exception {
        for (String path : List.of("/api//evil.example/x", "/api/@evil.example", "/api/%2F%2Fevil.example")) {
            HttpResponse<String> res = fixture.get("abs.test", path);

            assertThat(res.headers().firstValue("Location").orElseThrow())
                    .as(path)
                    .startsWith("https://new.example.com/v2/");
        }
    }

    @Test
    void crLfThroughThePathOrTheHost_neverReachesALocation() throws Exception {
        for (String request : List.of(
                "GET /api/%0D%0ASet-Cookie:%20a=b HTTP/1.1\r\nHost: abs.test\r\nConnection: close\r\n\r\n",
                "GET /api/a%0d%0aX:y HTTP/1.1\r\nHost: abshost.test\r\nConnection: close\r\n\r\n",
                "GET /api/a HTTP/1.1\r\nHost: abshost.test\rSet-Cookie: a=b\r\nConnection: close\r\n\r\n",
                "GET /api/a HTTP/1.1\r\nHost: evil.example/abshost.test\r\nConnection: close\r\n\r\n",
                "GET /api/a HTTP/1.1\r\nHost: abshost.test@evil.example\r\nConnection: close\r\n\r\n")) {
            try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
                String answer = raw.send(request).readUntilClose();
                String head = answer.substring(0, Math.max(0, answer.indexOf("\r\n\r\n")));

                assertThat(head).as(request).doesNotContain("evil");
                for (String line : head.split("\r\n")) {
                    assertThat(line).as(request).doesNotContain("\r").doesNotContain("\n");
                    assertThat(line.toLowerCase(Locale.ROOT))
                            .as(request)
                            .doesNotStartWith("set-cookie")
                            .doesNotStartWith("x:");
                    if (line.regionMatches(true, 0, "location:", 0, 9)) {
                        assertThat(line.substring(9).trim())
                                .matches("https?://(new\\.example\\.com|abshost\\.test)/[!-~]*");
                    }
                }
            }
        }
    }

    @Test
    void upstreamVhost_expandsTheRequestsHostAndTheListenersPort() throws Exception {
        assertThat(fixture.get("vh.test:8080", "/api/v").statusCode()).isEqualTo(200);

        assertThat(fixture.origin.seen.stream()
                        .filter(r -> r.uri().equals("/api/v"))
                        .map(r -> r.headers().get("Host")))
                .containsExactly("vh.test.internal:" + fixture.proxy.httpPort());
    }

    @Test
    void upstreamVhost_expandingToAnInvalidHost_keepsTheClientsHost() throws Exception {
        assertThat(fixture.get("vhbad.test:8080", "/api/w").statusCode()).isEqualTo(200);

        assertThat(uris("vhbad.test:8080")).containsExactly("/api/w");
    }

    private static List<String> uris(String host) {
        return fixture.origin.seen.stream()
                .filter(r -> host.equals(r.headers().get("Host")))
                .map(HttpRequest::uri)
                .toList();
    }
}
