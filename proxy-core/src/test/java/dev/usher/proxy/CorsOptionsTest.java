package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.Cors;
import dev.usher.routing.RouteOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's CORS on real sockets: preflights from allowed origins answered by Usher with 204 (the origin never
 * sees them), allowed origins echoed on the origin's responses with {@code Vary: Origin}, other origins get no CORS
 * field at all, credentials never with {@code *}.
 */
final class CorsOptionsTest {

    private static final String METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
    private static final String HEADERS = "DNT, Keep-Alive, User-Agent, X-Requested-With, If-Modified-Since, "
            + "Cache-Control, Content-Type, Authorization";

    @AutoClose
    private OptionsFixture fixture;

    @BeforeEach
    void start() {
        fixture = new OptionsFixture(
                ProxySettings.defaults(),
                Map.of(
                        "list.test",
                                RouteOptions.builder()
                                        .cors(new Cors(
                                                List.of("https://app.example", "https://*.shop.example"),
                                                METHODS,
                                                HEADERS,
                                                "X-Total",
                                                true,
                                                600))
                                        .build(),
                        "any.test",
                                RouteOptions.builder()
                                        .cors(new Cors(List.of("*"), METHODS, HEADERS, "", true, 1_728_000))
                                        .build(),
                        "plain.test", RouteOptions.DEFAULT));
    }

    @Test
    void preflightFromAnAllowedOrigin_isAnswered204ByUsher_andNeverReachesTheOrigin() throws Exception {
        HttpResponse<String> res = options("list.test", "https://app.example");

        assertThat(res.statusCode()).isEqualTo(204);
        assertThat(res.body()).isEmpty();
        assertThat(res.headers().firstValue("Content-Length")).isEmpty();
        assertThat(res.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(res.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(res.headers().firstValue("Access-Control-Allow-Methods")).hasValue(METHODS);
        assertThat(res.headers().firstValue("Access-Control-Allow-Headers")).hasValue(HEADERS);
        assertThat(res.headers().firstValue("Access-Control-Max-Age")).hasValue("600");
        assertThat(res.headers().allValues("Vary")).contains("Origin");
        assertThat(fixture.origin.requests.get()).isZero();
        // the connection stays usable: a normal request right after it on the same client
        assertThat(fixture.get("list.test", "/echo").statusCode()).isEqualTo(200);
    }

    @Test
    void preflightFromAWildcardSubdomain_isAllowed_butNotFromDeeperOrLookalikeHosts() throws Exception {
        assertThat(options("list.test", "https://eu.shop.example").statusCode()).isEqualTo(204);
        assertThat(options("list.test", "https://EU.Shop.Example").statusCode()).isEqualTo(204);

        for (String origin : List.of(
                "https://a.b.shop.example",
                "https://evilshop.example",
                "http://eu.shop.example",
                "https://eu.shop.example.evil.test",
                "https://app.example.evil.test",
                "null")) {
            HttpResponse<String> res = options("list.test", origin);
            assertThat(res.statusCode()).as(origin).isEqualTo(200); // not a preflight Usher answers: proxied
            assertThat(res.headers().firstValue("Access-Control-Allow-Origin"))
                    .as(origin)
                    .isEmpty();
        }
        assertThat(fixture.origin.requests.get()).isEqualTo(6);
    }

    @Test
    void actualRequestFromAnAllowedOrigin_getsTheFieldsOnTheOriginsResponse_echoingThatOrigin() throws Exception {
        HttpResponse<String> res = fixture.get("list.test", "/echo", "Origin", "https://app.example");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).contains("/echo"); // the origin answered
        assertThat(res.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(res.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        assertThat(res.headers().firstValue("Access-Control-Expose-Headers")).hasValue("X-Total");
        assertThat(res.headers().allValues("Vary")).contains("Origin");
        assertThat(fixture.origin.seen.peek().headers().get("Origin")).isEqualTo("https://app.example");
    }

    @Test
    void disallowedOrigin_getsNoCorsField_andIsNeverReflected() throws Exception {
        HttpResponse<String> res = fixture.get("list.test", "/echo", "Origin", "https://attacker.example");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().map().keySet()).noneMatch(name -> name.startsWith("access-control-"));
        assertThat(res.headers().allValues("Vary")).contains("Origin"); // a cache must not serve it to app.example
        assertThat(fixture.get("list.test", "/echo").headers().firstValue("Access-Control-Allow-Origin"))
                .isEmpty();
    }

    @Test
    void anyOrigin_isAnsweredWithStar_andNeverWithCredentials() throws Exception {
        HttpResponse<String> preflight = options("any.test", "https://whoever.example");
        HttpResponse<String> actual = fixture.get("any.test", "/echo", "Origin", "https://whoever.example");

        for (HttpResponse<String> res : List.of(preflight, actual)) {
            assertThat(res.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
            assertThat(res.headers().firstValue("Access-Control-Allow-Credentials"))
                    .isEmpty();
        }
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(actual.statusCode()).isEqualTo(200);
    }

    @Test
    void routeWithoutCors_proxiesPreflights_andAddsNothing() throws Exception {
        HttpResponse<String> res = options("plain.test", "https://app.example");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(fixture.origin.requests.get()).isEqualTo(1);
    }

    private HttpResponse<String> options(String host, String origin) throws IOException, InterruptedException {
        return fixture.client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.proxy.httpPort() + "/echo"))
                        .header("Host", host)
                        .header("Origin", origin)
                        .header("Access-Control-Request-Method", "PUT")
                        .timeout(Duration.ofSeconds(20))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
