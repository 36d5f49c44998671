package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.usher.routing.ExternalAuth;
import dev.usher.routing.HeaderEdit;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RouteTimeouts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's external authentication on real sockets: a JDK {@code HttpServer} on loopback is the auth service and
 * decides by the client's {@code X-Test-Auth} field (ok: 200 with identity fields, deny: 403, boom: 500, slow: no
 * answer, anything else: 401 with a challenge); the test origin shows what reached it.
 */
final class ExternalAuthTest {

    /** What the auth service saw of one request. */
    record Seen(String method, String uri, Headers headers, int bodyBytes) {}

    private static HttpServer authServer;
    private static ExecutorService authThreads;
    private static final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    private static final CountDownLatch releaseSlow = new CountDownLatch(1);
    private static OptionsFixture fixture;

    @BeforeAll
    static void start() throws IOException {
        authThreads = Executors.newCachedThreadPool();
        authServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        authServer.setExecutor(authThreads);
        authServer.createContext("/", ExternalAuthTest::decide);
        authServer.start();
        String auth = "http://127.0.0.1:" + authServer.getAddress().getPort();
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // nothing listens there once closed
        }
        List<String> identity = List.of("x-auth-user", "x-auth-email");
        fixture = new OptionsFixture(
                ProxySettings.builder().localOriginNames(true).build(), // the auth service is on loopback
                Map.of(
                        "auth.test", options(auth(auth + "/auth?check=1", "GET", null, identity, null)),
                        "signin.test",
                                options(auth(auth + "/auth", "GET", "https://login.example/start", identity, null)),
                        "vars.test",
                                options(auth(
                                        auth + "/check/$namespace/$service_name?u=$escaped_request_uri",
                                        "POST",
                                        "http://$host/login?rd=$scheme://$best_http_host$request_uri",
                                        List.of(),
                                        "https://app.example/after")),
                        "fields.test",
                                options(auth(auth + "/auth", "GET", null, identity, null)
                                        .withProxySetHeaders(List.of(
                                                new HeaderEdit("X-Auth-Team", "blue", HeaderEdit.Mode.SET),
                                                setting("X-Auth-Client", "ip=$remote_addr user=${http_x_user}"),
                                                setting("X-Auth-Request", "$request_id"),
                                                new HeaderEdit("X-Drop", null, HeaderEdit.Mode.CLEAR)))),
                        "down.test", options(auth("http://127.0.0.1:" + closed + "/auth", "GET", null, identity, null)),
                        "slow.test",
                                RouteOptions.builder()
                                        .externalAuth(auth(auth + "/auth", "GET", null, identity, null))
                                        .timeouts(
                                                new RouteTimeouts(Duration.ofMillis(500), Duration.ofMillis(300), null))
                                        .build()));
    }

    @AfterAll
    static void stop() {
        releaseSlow.countDown();
        fixture.close();
        authServer.stop(0);
        authThreads.shutdownNow();
    }

    private static RouteOptions options(ExternalAuth auth) {
        return RouteOptions.builder().externalAuth(auth).build();
    }

    private static ExternalAuth auth(
            String url,
            String method,
            @Nullable String signin,
            List<String> responseHeaders,
            @Nullable String requestRedirect) {
        boolean hasRd = signin != null && signin.contains("rd=");
        return new ExternalAuth(
                NginxTemplate.parse(url),
                method,
                signin == null ? null : NginxTemplate.parse(signin),
                ExternalAuth.DEFAULT_REDIRECT_PARAM,
                signin != null && !hasRd,
                responseHeaders,
                requestRedirect);
    }

    private static HeaderEdit setting(String name, String value) {
        return new HeaderEdit(name, value, HeaderEdit.Mode.SET, NginxTemplate.parse(value));
    }

    private static void decide(HttpExchange exchange) throws IOException {
        int bodyBytes = exchange.getRequestBody().readAllBytes().length;
        Headers in = exchange.getRequestHeaders();
        seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().toString(), in, bodyBytes));
        String verdict = String.valueOf(in.getFirst("X-Test-Auth"));
        Headers out = exchange.getResponseHeaders();
        int status;
        switch (verdict) {
            case "ok" -> {
                out.add("X-Auth-User", "alice");
                status = 200;
            }
            case "deny" -> status = 403;
            case "boom" -> status = 500;
            case "slow" -> {
                try {
                    releaseSlow.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                status = 200;
            }
            default -> {
                out.add("WWW-Authenticate", "Bearer realm=\"test\"");
                status = 401;
            }
        }
        byte[] body = ("auth says " + status).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static Seen lastSeen(String originalUri) {
        return await().until(
                        () -> seen.stream()
                                .filter(s -> originalUri.equals(s.headers().getFirst("X-Original-URI")))
                                .reduce((a, b) -> b),
                        java.util.Optional::isPresent)
                .orElseThrow();
    }

    @Test
    void authOk_passes_withTheAuthResponseFieldsReplacingTheClients() throws Exception {
        HttpResponse<String> res = fixture.get(
                "auth.test",
                "/echo?pass=1",
                "X-Test-Auth",
                "ok",
                "X-Auth-User",
                "mallory",
                "X-Auth-Email",
                "mallory@evil.example");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body())
                .contains("uri=/echo?pass=1", "x-auth-user: alice", "x-test-auth: ok")
                .doesNotContain("mallory");
    }

    @Test
    void aConnectionToken_cannotTakeAwayWhatTheAuthServiceSaid() throws Exception {
        HttpResponse<String> res = fixture.get(
                "auth.test",
                "/echo?vouched=1",
                "X-Test-Auth",
                "ok",
                "X-Gone",
                "yes",
                "Connection",
                "keep-alive, X-Auth-User, X-Gone");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body())
                .contains("x-auth-user: alice") // hop-by-hop for the client's own fields only
                .doesNotContain("x-gone");
    }

    @Test
    void theAuthService_seesTheOriginalRequest_withoutBody_andTheOriginalFields() throws Exception {
        HttpResponse<String> res =
                fixture.get("auth.test", "/echo?seen=1", "X-Test-Auth", "ok", "Cookie", "session=abc");

        assertThat(res.statusCode()).isEqualTo(200);
        Seen s = lastSeen("/echo?seen=1");
        assertThat(s.method()).isEqualTo("GET");
        assertThat(s.uri()).isEqualTo("/auth?check=1");
        assertThat(s.bodyBytes()).isZero();
        assertThat(s.headers().getFirst("X-Original-Method")).isEqualTo("GET");
        assertThat(s.headers().getFirst("X-Original-URL")).isEqualTo("http://auth.test/echo?seen=1");
        assertThat(s.headers().getFirst("X-Scheme")).isEqualTo("http");
        assertThat(s.headers().getFirst("X-Forwarded-Host")).isEqualTo("auth.test");
        assertThat(s.headers().getFirst("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(s.headers().getFirst("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(s.headers().getFirst("X-Auth-Request-Redirect")).isEqualTo("/echo?seen=1");
        assertThat(s.headers().getFirst("Cookie")).isEqualTo("session=abc");
        assertThat(s.headers().getFirst("Host"))
                .isEqualTo("127.0.0.1:" + authServer.getAddress().getPort());
        assertThat(s.headers().getFirst("X-Request-ID")).matches("[0-9a-f]{32}");
        // the origin gets the same request ID as the auth service
        assertThat(res.body()).contains("x-request-id: " + s.headers().getFirst("X-Request-ID"));
    }

    @Test
    void authProxySetHeaders_reachTheAuthServiceOnly_expandedFromTheClientsRequest() throws Exception {
        HttpResponse<String> res = fixture.get(
                "fields.test",
                "/echo?fields=1",
                "X-Test-Auth",
                "ok",
                "X-User",
                "bob smith",
                "X-Drop",
                "kept-for-origin");

        assertThat(res.statusCode()).isEqualTo(200);
        Seen s = lastSeen("/echo?fields=1");
        assertThat(s.headers().get("X-Auth-Team")).containsExactly("blue");
        assertThat(s.headers().get("X-Auth-Client"))
                .containsExactly("ip=127.0.0.1 user=bob%20smith"); // a space encoded
        assertThat(s.headers().get("X-Auth-Request"))
                .containsExactly(s.headers().getFirst("X-Request-ID"));
        assertThat(s.headers().containsKey("X-Drop")).isFalse(); // an empty proxy_set_header: not sent
        assertThat(s.headers().getFirst("X-Original-URI")).isEqualTo("/echo?fields=1"); // Usher's own stay
        // neither the origin nor the client sees them; the origin still gets the client's X-Drop
        assertThat(res.body())
                .doesNotContain("x-auth-team")
                .doesNotContain("x-auth-client")
                .contains("kept-for-origin");
        assertThat(res.headers().map().keySet())
                .noneMatch(name -> name.toLowerCase(Locale.ROOT).startsWith("x-auth-t"));
    }

    @Test
    void theFieldsTheProxySetsOnEveryAuthRequest_cannotBeSetAgain() {
        ExternalAuth plain = auth("http://auth.example/", "GET", null, List.of(), null);
        for (String name : List.of("Host", "X-Original-URL", "X-Forwarded-For", "X-Request-ID")) {
            assertThatThrownBy(() -> plain.withProxySetHeaders(List.of(new HeaderEdit(name, "x", HeaderEdit.Mode.SET))))
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void variables_areExpandedPerRequest_andAuthMethodAndRequestRedirectApply() throws Exception {
        HttpResponse<String> res = fixture.get("vars.test", "/a%20b/c?x=1&y=2", "X-Test-Auth", "ok");

        assertThat(res.statusCode()).isEqualTo(200);
        Seen s = lastSeen("/a%20b/c?x=1&y=2");
        assertThat(s.method()).isEqualTo("POST");
        assertThat(s.uri()).isEqualTo("/check/default/app?u=%2Fa%2520b%2Fc%3Fx%3D1%26y%3D2");
        assertThat(s.headers().getFirst("X-Auth-Request-Redirect")).isEqualTo("https://app.example/after");
        assertThat(s.headers().getFirst("Content-Length")).isEqualTo("0");
    }

    @Test
    void authDenies_401WithItsChallenge_and403_reachTheClient_andNotTheOrigin() throws Exception {
        HttpResponse<String> unauthorised = fixture.get("auth.test", "/echo?denied=401");
        HttpResponse<String> forbidden = fixture.get("auth.test", "/echo?denied=403", "X-Test-Auth", "deny");

        assertThat(unauthorised.statusCode()).isEqualTo(401);
        assertThat(unauthorised.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"test\"");
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(fixture.origin.seen).noneMatch(r -> r.uri().startsWith("/echo?denied"));
    }

    @Test
    void withSignin_401Becomes302_withRdTheOriginalUrl() throws Exception {
        HttpResponse<String> res = fixture.get("signin.test", "/echo?a=b&c=d");

        assertThat(res.statusCode()).isEqualTo(302);
        assertThat(res.headers().firstValue("Location"))
                .hasValue("https://login.example/start?rd=http://signin.test%2Fecho%3Fa%3Db%26c%3Dd");
    }

    @Test
    void signinWithItsOwnRd_isExpanded_andNothingIsAppended() throws Exception {
        HttpResponse<String> res = fixture.get("vars.test", "/private?z=1");

        assertThat(res.statusCode()).isEqualTo(302);
        assertThat(res.headers().firstValue("Location"))
                .hasValue("http://vars.test/login?rd=http://vars.test/private?z=1");
    }

    @Test
    void authError_unreachableService_andTimeout_are500() throws Exception {
        assertThat(fixture.get("auth.test", "/echo?e=1", "X-Test-Auth", "boom").statusCode())
                .isEqualTo(500);
        assertThat(fixture.get("down.test", "/echo?e=2", "X-Test-Auth", "ok").statusCode())
                .isEqualTo(500);
        assertThat(fixture.get("slow.test", "/echo?e=3", "X-Test-Auth", "slow").statusCode())
                .isEqualTo(500);
        assertThat(fixture.origin.seen).noneMatch(r -> r.uri().startsWith("/echo?e="));
    }

    @Test
    void authServicesOnThisHostOrItsLink_areRefusedInClusterMode_withoutAConnection() throws Exception {
        int port = authServer.getAddress().getPort();
        List<String> urls = List.of(
                "http://127.0.0.1:" + port + "/auth",
                "http://[::ffff:127.0.0.1]:" + port + "/auth", // the same address, IPv4-mapped
                "http://0.0.0.0:" + port + "/auth", // connecting to it reaches loopback
                "http://localhost:" + port + "/auth"); // a name: the resolver refuses its answer
        Map<String, RouteOptions> hosts = new java.util.HashMap<>();
        for (int i = 0; i < urls.size(); i++) {
            hosts.put("local" + i + ".test", options(auth(urls.get(i), "GET", null, List.of(), null)));
        }
        int before = seen.size();
        try (OptionsFixture cluster = new OptionsFixture(ProxySettings.defaults(), hosts)) {
            for (int i = 0; i < urls.size(); i++) {
                assertThat(cluster.get("local" + i + ".test", "/echo?local=" + i, "X-Test-Auth", "ok")
                                .statusCode())
                        .as(urls.get(i))
                        .isEqualTo(500);
            }
            assertThat(seen).hasSize(before); // no subrequest reached the auth service
            assertThat(cluster.origin.seen).isEmpty();
        }
        try (OptionsFixture manifests = new OptionsFixture(
                ProxySettings.builder().localOriginNames(true).build(),
                Map.of("local0.test", hosts.get("local0.test")))) { // the control: allowed, it answers
            assertThat(manifests
                            .get("local0.test", "/echo?local=ok", "X-Test-Auth", "ok")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(seen).hasSize(before + 1);
        }
    }

    @Test
    void anAuthHostFromTheRequest_onAHostlessRule_failsClosed_onARuleWithAHostItIsAsked() throws Exception {
        // https://$host/oauth2/auth, the usual oauth2-proxy set-up: on a host-less rule the client would choose the
        // auth service (one of its own answering 200 would let it through), so that route fails closed
        ExternalAuth fromHost =
                auth("http://$host:" + authServer.getAddress().getPort() + "/auth", "GET", null, List.of(), null);
        PathRule root = new PathRule("/", PathType.PREFIX, OptionsFixture.APP);
        IngressRuleSet ingress = new IngressRuleSet(
                "default",
                "oauth",
                Instant.parse("2024-01-01T00:00:00Z"),
                List.of(new HostRule("localhost", List.of(root)), new HostRule(null, List.of(root))),
                null,
                options(fromHost));
        int before = seen.size();
        try (OptionsFixture proxy = new OptionsFixture(
                ProxySettings.builder().localOriginNames(true).build(), List.of(ingress))) {
            assertThat(proxy.get("127.0.0.1", "/echo?hostless=1", "X-Test-Auth", "ok")
                            .statusCode())
                    .isEqualTo(500);
            assertThat(seen).hasSize(before);
            assertThat(proxy.origin.seen).isEmpty();

            assertThat(proxy.get("localhost", "/echo?hosted=1", "X-Test-Auth", "ok")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(seen).hasSize(before + 1);
        }
    }

    @Test
    void postBody_waitsForTheVerdict_andThenReachesTheOriginWhole() throws Exception {
        byte[] body = new byte[200_000];
        java.util.Arrays.fill(body, (byte) 'x');
        HttpResponse<String> res = fixture.client.send(
                java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + fixture.proxy.httpPort() + "/count"))
                        .header("Host", "auth.test")
                        .header("X-Test-Auth", "ok")
                        .timeout(Duration.ofSeconds(20))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("200000");
        Seen s = lastSeen("/count");
        assertThat(s.method()).isEqualTo("GET");
        assertThat(s.bodyBytes()).isZero();
        assertThat(s.headers().getFirst("X-Original-Method")).isEqualTo("POST");
    }

    @Test
    void http2Client_isAuthorisedTheSameWay() throws Exception {
        try (RawH2 h2 = RawH2.connect(fixture.proxy.httpPort())) {
            h2.headers(1, RawH2.request("GET", "auth.test", "/echo?h2=1").add("x-test-auth", "ok"), true);
            h2.headers(3, RawH2.request("GET", "auth.test", "/echo?h2=2"), true);
            h2.headers(5, RawH2.request("POST", "auth.test", "/count").add("x-test-auth", "ok"), false);
            h2.data(5, new byte[1000], false);
            h2.data(5, new byte[234], true);

            Map<Integer, RawH2.Reply> replies = h2.replies(List.of(1, 3, 5));

            assertThat(replies.get(1).status()).isEqualTo("200");
            assertThat(replies.get(1).text()).contains("x-auth-user: alice");
            assertThat(replies.get(3).status()).isEqualTo("401");
            assertThat(replies.get(3).head.get("www-authenticate")).hasToString("Bearer realm=\"test\"");
            assertThat(replies.get(5).status()).isEqualTo("200");
            assertThat(replies.get(5).text()).isEqualTo("1234");
        }
    }
}
