package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usher.routing.LocalRedirect;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.RouteOptions;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code force-ssl-redirect}, {@code permanent-redirect}/{@code temporal-redirect} and
 * {@code app-root} per Ingress, on real sockets: Usher answers, the origin never sees the request.
 */
final class RedirectOptionsTest {

    private static OptionsFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new OptionsFixture(
                ProxySettings.defaults(),
                Map.of(
                        "forced.test",
                                RouteOptions.builder().forceSslRedirect(true).build(),
                        "forced-off.test",
                                RouteOptions.builder()
                                        .forceSslRedirect(true)
                                        .sslRedirect(false)
                                        .tlsHosts(Set.of("forced-off.test"))
                                        .build(),
                        "moved.test",
                                RouteOptions.builder()
                                        .redirect(new LocalRedirect("https://new.example.com/x?y=1", 301))
                                        .build(),
                        "temp.test",
                                RouteOptions.builder()
                                        .redirect(new LocalRedirect("http://maint.example.com/", 307))
                                        .build(),
                        "returned.test",
                                RouteOptions.builder()
                                        .redirect(new LocalRedirect(
                                                "https://www.$host$request_uri",
                                                301,
                                                NginxTemplate.parse("https://www.$host$request_uri")))
                                        .build(),
                        "root.test", RouteOptions.builder().appRoot("/app1").build(),
                        "root-moved.test",
                                RouteOptions.builder()
                                        .appRoot("/app1")
                                        .redirect(new LocalRedirect("https://new.example.com/", 302))
                                        .build()));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void forceSslRedirect_redirectsAHostWithoutSpecTls_with308() throws Exception {
        HttpResponse<String> res = fixture.get("forced.test", "/a?b=c");

        assertThat(res.statusCode()).isEqualTo(308);
        assertThat(res.headers().firstValue("Location")).hasValue("https://forced.test/a?b=c");
        assertThat(seen("forced.test")).isZero();
    }

    @Test
    void aSnippetsReturn_expandsItsVariablesPerRequest() throws Exception {
        HttpResponse<String> res = fixture.get("returned.test", "/a/b?q=1");

        assertThat(res.statusCode()).isEqualTo(301);
        assertThat(res.headers().firstValue("Location")).hasValue("https://www.returned.test/a/b?q=1");
        assertThat(seen("returned.test")).isZero();
    }

    @Test
    void forceSslRedirect_winsOverSslRedirectFalse() throws Exception {
        assertThat(fixture.get("forced-off.test", "/").statusCode()).isEqualTo(308);
    }

    @Test
    void permanentRedirect_answersWithItsCodeAndUrl_forEveryPath_withoutTheQuery() throws Exception {
        HttpResponse<String> res = fixture.get("moved.test", "/anything/here?q=1");

        assertThat(res.statusCode()).isEqualTo(301);
        assertThat(res.headers().firstValue("Location")).hasValue("https://new.example.com/x?y=1");
        assertThat(seen("moved.test")).isZero();
    }

    @Test
    void temporalRedirect_withItsCode() throws Exception {
        HttpResponse<String> res = fixture.get("temp.test", "/");

        assertThat(res.statusCode()).isEqualTo(307);
        assertThat(res.headers().firstValue("Location")).hasValue("http://maint.example.com/");
    }

    @Test
    void redirect_ofARequestWithABody_answersAndClosesTheConnection() throws Exception {
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("POST / HTTP/1.1\r\nHost: moved.test\r\nContent-Length: 5\r\n\r\nhello");
            String answer = raw.readUntilClose();
            assertThat(answer).startsWith("HTTP/1.1 301 ").contains("location: https://new.example.com/x?y=1\r\n");
        }
        assertThat(seen("moved.test")).isZero();
    }

    @Test
    void appRoot_redirectsOnlySlash_with302_toTheClientsSchemeAndHost() throws Exception {
        HttpResponse<String> root = fixture.get("root.test", "/?x=1");
        HttpResponse<String> other = fixture.get("root.test", "/app1/page");

        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).hasValue("http://root.test/app1");
        assertThat(other.statusCode()).isEqualTo(200);
    }

    @Test
    void appRoot_comesBeforeALocalRedirect_asInIngressNginxsLocationBlock() throws Exception {
        assertThat(fixture.get("root-moved.test", "/").headers().firstValue("Location"))
                .hasValue("http://root-moved.test/app1");
        assertThat(fixture.get("root-moved.test", "/x").headers().firstValue("Location"))
                .hasValue("https://new.example.com/");
    }

    @Test
    void localRedirect_cannotHoldAByteThatSplitsAHeader() {
        for (String bad : new String[] {
            "https://a.example.com/\r\nSet-Cookie: x=y",
            "https://a.example.com/ b",
            "https://a.example.com/\u0000",
            "https://a.example.com/\u00e9",
            ""
        }) {
            assertThatThrownBy(() -> new LocalRedirect(bad, 301)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new LocalRedirect("https://a.example.com/", 200))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static long seen(String host) {
        return fixture.origin.seen.stream()
                .filter(r -> host.equals(r.headers().get("Host")))
                .count();
    }
}
