package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.usher.routing.ExternalAuth;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.RouteOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code auth-always-set-cookie}, the auth service's cookies and {@code auth-cache-key}/{@code auth-cache-duration} on
 * real sockets: a JDK {@code HttpServer} is the auth service, counting its calls per {@code Authorization} value. It
 * passes {@code Bearer good-*} (200, {@code X-Auth-User}) and refuses the rest (401 with a challenge); on
 * {@code /cookie} it also sets two cookies.
 */
final class ExternalAuthCookiesAndCacheTest {

    private static final String SESSION = "_oauth2_proxy=refreshed; Path=/; HttpOnly";
    private static final String CSRF = "_csrf=x1; Path=/";

    private static HttpServer authServer;
    private static ExecutorService authThreads;
    private static final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private static OptionsFixture fixture;

    @BeforeAll
    static void start() throws IOException {
        authThreads = Executors.newCachedThreadPool();
        authServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        authServer.setExecutor(authThreads);
        authServer.createContext("/", ExternalAuthCookiesAndCacheTest::decide);
        authServer.start();
        String base = "http://127.0.0.1:" + authServer.getAddress().getPort();
        Map<Integer, Duration> durations =
                Map.of(200, Duration.ofMinutes(5), 202, Duration.ofMinutes(5), 401, Duration.ofMinutes(5));
        fixture = new OptionsFixture(
                ProxySettings.builder().localOriginNames(true).build(), // the auth service is on loopback
                Map.of(
                        "cookie.test", options(auth(base + "/cookie", false, null, Map.of())),
                        "always.test", options(auth(base + "/cookie", true, null, Map.of())),
                        "cache.test",
                                options(auth(base + "/cache", false, "$remote_user$http_authorization", durations)),
                        "cachedcookie.test", options(auth(base + "/cookie", false, "$http_authorization", durations))));
    }

    @AfterAll
    static void stop() {
        fixture.close();
        authServer.stop(0);
        authThreads.shutdownNow();
    }

    private static RouteOptions options(ExternalAuth auth) {
        return RouteOptions.builder().externalAuth(auth).build();
    }

    /** An external authentication copying {@code X-Auth-User}, with these settings (also AuthVerdictCacheTest's). */
    static ExternalAuth auth(String url, boolean always, @Nullable String cacheKey, Map<Integer, Duration> durations) {
        return new ExternalAuth(
                NginxTemplate.parse(url),
                "GET",
                null,
                ExternalAuth.DEFAULT_REDIRECT_PARAM,
                false,
                List.of("x-auth-user"),
                null,
                always,
                cacheKey == null ? null : NginxTemplate.parse(cacheKey),
                durations);
    }

    private static void decide(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        String authorization = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
        calls.computeIfAbsent(authorization, k -> new AtomicInteger()).incrementAndGet();
        Headers out = exchange.getResponseHeaders();
        if (exchange.getRequestURI().getPath().equals("/cookie")) {
            out.add("Set-Cookie", SESSION);
            out.add("Set-Cookie", CSRF);
        }
        int status;
        if (authorization.startsWith("Bearer good-")) {
            out.add("X-Auth-User", "alice");
            status = 200;
        } else {
            out.add("WWW-Authenticate", "Bearer realm=\"test\"");
            status = 401;
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private static int calls(String authorization) {
        AtomicInteger n = calls.get(authorization);
        return n == null ? 0 : n.get();
    }

    @Test
    void cookiesOfA2xxAuthResponse_reachTheClientsResponse() throws Exception {
        HttpResponse<String> res = fixture.get("cookie.test", "/echo?c=1", "Authorization", "Bearer good-cookie");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().allValues("Set-Cookie")).containsExactly(SESSION, CSRF);
        assertThat(res.body()).contains("x-auth-user: alice");
    }

    @Test
    void cookiesOfA401_areDropped_unlessAlwaysSetCookie() throws Exception {
        HttpResponse<String> plain = fixture.get("cookie.test", "/echo?c=2", "Authorization", "Bearer bad-cookie");
        HttpResponse<String> always = fixture.get("always.test", "/echo?c=3", "Authorization", "Bearer bad-cookie");

        assertThat(plain.statusCode()).isEqualTo(401);
        assertThat(plain.headers().allValues("Set-Cookie")).isEmpty();
        assertThat(always.statusCode()).isEqualTo(401);
        assertThat(always.headers().allValues("Set-Cookie")).containsExactly(SESSION, CSRF);
        assertThat(always.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"test\"");
    }

    @Test
    void http2Client_getsTheCookiesToo() throws Exception {
        try (RawH2 h2 = RawH2.connect(fixture.proxy.httpPort())) {
            h2.headers(
                    1, RawH2.request("GET", "cookie.test", "/echo?h2=1").add("authorization", "Bearer good-h2"), true);
            h2.headers(3, RawH2.request("GET", "always.test", "/echo?h2=2").add("authorization", "Bearer no-h2"), true);

            Map<Integer, RawH2.Reply> replies = h2.replies(List.of(1, 3));

            assertThat(replies.get(1).status()).isEqualTo("200");
            assertThat(replies.get(1).head.getAll("set-cookie"))
                    .map(CharSequence::toString)
                    .containsExactly(SESSION, CSRF);
            assertThat(replies.get(3).status()).isEqualTo("401");
            assertThat(replies.get(3).head.getAll("set-cookie"))
                    .map(CharSequence::toString)
                    .containsExactly(SESSION, CSRF);
        }
    }

    @Test
    void aCachedVerdict_answersTheSameKey_withoutASubrequest_andAnotherKeyStillCalls() throws Exception {
        HttpResponse<String> first = fixture.get("cache.test", "/echo?k=1", "Authorization", "Bearer good-1");
        HttpResponse<String> second =
                fixture.get("cache.test", "/echo?k=2", "Authorization", "Bearer good-1", "X-Auth-User", "mallory");
        HttpResponse<String> other = fixture.get("cache.test", "/echo?k=3", "Authorization", "Bearer good-2");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).contains("x-auth-user: alice").doesNotContain("mallory"); // the cached identity
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(calls("Bearer good-1")).isEqualTo(1);
        assertThat(calls("Bearer good-2")).isEqualTo(1);
    }

    @Test
    void aCached401_staysA401_withItsChallenge() throws Exception {
        HttpResponse<String> first = fixture.get("cache.test", "/echo?k=4", "Authorization", "Bearer bad-1");
        HttpResponse<String> second = fixture.get("cache.test", "/echo?k=5", "Authorization", "Bearer bad-1");

        assertThat(first.statusCode()).isEqualTo(401);
        assertThat(second.statusCode()).isEqualTo(401);
        assertThat(second.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"test\"");
        assertThat(calls("Bearer bad-1")).isEqualTo(1);
        assertThat(fixture.origin.seen)
                .noneMatch(r -> r.uri().startsWith("/echo?k=4") || r.uri().startsWith("/echo?k=5"));
    }

    @Test
    void aResponseSettingCookies_isNotCached() throws Exception {
        fixture.get("cachedcookie.test", "/echo?k=6", "Authorization", "Bearer good-setcookie");
        HttpResponse<String> second =
                fixture.get("cachedcookie.test", "/echo?k=7", "Authorization", "Bearer good-setcookie");

        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().allValues("Set-Cookie")).containsExactly(SESSION, CSRF);
        assertThat(calls("Bearer good-setcookie")).isEqualTo(2);
    }
}
