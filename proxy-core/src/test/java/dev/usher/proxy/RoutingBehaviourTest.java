package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

final class RoutingBehaviourTest {

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(1, ProxySettings.defaults());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void get_routedHost_reachesOriginWithPathQueryAndHostUnchanged() throws Exception {
        HttpResponse<String> res = fixture.get("app.test", "/some/path?q=1&b=two");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body())
                .contains(
                        "origin=origin-0",
                        "uri=/some/path?q=1&b=two",
                        "host: app.test",
                        "method=GET",
                        "version=HTTP/1.1");
    }

    @Test
    void get_unknownHost_is404FromUsher() throws Exception {
        HttpResponse<String> res = fixture.get("nobody.test", "/");

        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(res.headers().firstValue("server")).hasValue("usher");
        assertThat(res.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(res.body()).startsWith("404 Not Found");
    }

    @Test
    void get_backendWithoutEndpoints_is503() throws Exception {
        HttpResponse<String> res = fixture.get("empty.test", "/x");

        assertThat(res.statusCode()).isEqualTo(503);
        assertThat(res.body()).contains("no ready endpoint");
    }

    @Test
    void get_rewriteRoute_forwardsRewrittenPathWithQuery() throws Exception {
        HttpResponse<String> res = fixture.get("rw.test", "/api/users?id=7");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).contains("uri=/v2/users?id=7", "host: rw.test");
    }

    @Test
    void get_tlsHostOnPlainListener_redirects308ToHttps() throws Exception {
        HttpResponse<String> res = fixture.get("secure.test:8080", "/login?next=/a");

        assertThat(res.statusCode()).isEqualTo(308);
        assertThat(res.headers().firstValue("location")).hasValue("https://secure.test/login?next=/a");
    }

    @Test
    void get_forwardedHeadersAdded_requestIdGenerated() throws Exception {
        HttpResponse<String> res = fixture.client.send(
                java.net.http.HttpRequest.newBuilder(fixture.uri("/f"))
                        .header("Host", "app.test")
                        .header("X-Forwarded-For", "203.0.113.9")
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(res.body())
                .contains(
                        "x-forwarded-for: 127.0.0.1\n",
                        "x-forwarded-proto: http",
                        "x-forwarded-host: app.test",
                        "x-forwarded-port: " + fixture.proxy.httpPort(),
                        "x-real-ip: 127.0.0.1");
        assertThat(res.body()).containsPattern("x-request-id: [0-9a-f]{32}\n");
    }

    @Test
    void get_clientRequestId_isKept() throws Exception {
        HttpResponse<String> res = fixture.client.send(
                java.net.http.HttpRequest.newBuilder(fixture.uri("/f"))
                        .header("Host", "app.test")
                        .header("X-Request-ID", "abc-123")
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(res.body()).contains("x-request-id: abc-123\n");
    }

    @Test
    void response_withoutOriginServer_carriesUsherServer_andOriginServerIsKept() throws Exception {
        assertThat(fixture.get("app.test", "/").headers().firstValue("server")).hasValue("usher");
        assertThat(fixture.get("app.test", "/hop").headers().firstValue("server"))
                .hasValue("origin-server");
    }

    @Test
    void hopByHop_removedBothWays() throws Exception {
        HttpResponse<String> res = fixture.client.send(
                java.net.http.HttpRequest.newBuilder(fixture.uri("/echo"))
                        .header("Host", "app.test")
                        .header("Connection", "X-Drop-Me")
                        .header("X-Drop-Me", "1")
                        .header("Proxy-Authorization", "Basic eA==")
                        .header("TE", "trailers")
                        .header("X-Keep", "yes")
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(res.body())
                .contains("x-keep: yes")
                .doesNotContain("x-drop-me", "proxy-authorization", "te:", "connection:");
        HttpResponse<String> hop = fixture.get("app.test", "/hop");
        assertThat(hop.headers().map())
                .containsKey("x-kept")
                .doesNotContainKeys("x-secret", "keep-alive", "proxy-authenticate");
        assertThat(hop.headers().firstValue("content-length")).hasValue("3");
    }

    @Test
    void chunkedOriginResponse_reachesClientWhole() throws Exception {
        HttpResponse<String> res = fixture.get("app.test", "/chunked");

        assertThat(res.body()).isEqualTo("part1-part2");
    }

    @Test
    void originStatus_isPassedThrough_andCountedByStatusClass() throws Exception {
        assertThat(fixture.get("app.test", "/status/418").statusCode()).isEqualTo(418);
        assertThat(fixture.get("app.test", "/status/204").statusCode()).isEqualTo(204);

        // An exchange is counted once its last byte is written, which the client may read first: await the count.
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            assertThat(fixture.registry
                            .get("usher.requests")
                            .tags("namespace", "default", "ingress", "app-ingress", "service", "app", "status", "4xx")
                            .counter()
                            .count())
                    .isGreaterThanOrEqualTo(1.0);
            assertThat(fixture.registry
                            .get("usher.request.duration")
                            .tags("service", "app", "status", "2xx")
                            .timer()
                            .count())
                    .isGreaterThanOrEqualTo(1L);
        });
    }
}
