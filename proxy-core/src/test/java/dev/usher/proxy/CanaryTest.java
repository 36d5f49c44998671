package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.BackendRef;
import dev.usher.routing.CanaryRule;
import dev.usher.routing.Endpoint;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.PortRef;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import dev.usher.routing.SessionAffinity;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx canaries on real sockets: a main origin and a canary origin behind one route, the canary chosen per
 * request by header, cookie and weight; the weight's random source is injected (a counter walking 0..total-1), so the
 * distribution is exact, not statistical.
 */
final class CanaryTest {

    private static final BackendRef MAIN = new BackendRef("default", "main", PortRef.number(80));
    private static final BackendRef CANARY = new BackendRef("default", "canary", PortRef.number(80));
    private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

    private final RoutingTable table = new RoutingTable();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    /** The injected random source: 0, 1, 2, ... modulo the bound asked for; counts the draws. */
    private final AtomicInteger draws = new AtomicInteger();

    private TestOrigin main;
    private TestOrigin canary;
    private ProxyServer proxy;

    @BeforeEach
    void start() {
        main = new TestOrigin("main");
        canary = new TestOrigin("canary");
        table.updateEndpoints(MAIN, List.of(new Endpoint("127.0.0.1", main.port(), "pod-main")));
        table.updateEndpoints(CANARY, List.of(new Endpoint("127.0.0.1", canary.port(), "pod-canary")));
        RoutingSnapshot.Builder snapshot = RoutingSnapshot.builder();
        RouteOptions rewrite = RouteOptions.builder().rewriteTarget("/v1").build();
        pair(snapshot, "rules.test", rewrite, new CanaryRule("X-Canary", null, null, "canary", 0, 100));
        pair(snapshot, "value.test", RouteOptions.DEFAULT, new CanaryRule("X-Canary", "DoCanary", null, null, 0, 100));
        pair(
                snapshot,
                "pattern.test",
                RouteOptions.DEFAULT,
                new CanaryRule("X-Canary", null, "^Do[A-Z][a-z]+y$", "canary", 0, 100));
        pair(snapshot, "zero.test", RouteOptions.DEFAULT, CanaryRule.weighted(0, 100));
        pair(snapshot, "all.test", RouteOptions.DEFAULT, CanaryRule.weighted(100, 100));
        pair(snapshot, "thirty.test", RouteOptions.DEFAULT, CanaryRule.weighted(30, 100));
        pair(snapshot, "half.test", RouteOptions.DEFAULT, CanaryRule.weighted(100, 200));
        pair(
                snapshot,
                "sticky.test",
                RouteOptions.builder()
                        .affinity(new SessionAffinity(
                                SessionAffinity.DEFAULT_NAME, null, -1, -1, null, false, false, null, false))
                        .build(),
                CanaryRule.weighted(50, 100));
        pair(
                snapshot,
                "legacy.test",
                RouteOptions.builder()
                        .affinity(new SessionAffinity(
                                SessionAffinity.DEFAULT_NAME, null, -1, -1, null, false, false, null, false))
                        .build(),
                new CanaryRule(null, null, null, null, 50, 100, true));
        table.publish(snapshot.build(table::backend));
        proxy = ProxyServer.builder()
                .routingTable(table)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .eventLoops(1)
                .settings(ProxySettings.defaults())
                .canaryRandom(bound -> draws.getAndIncrement() % bound)
                .build();
        proxy.start();
    }

    private static void pair(RoutingSnapshot.Builder snapshot, String host, RouteOptions mainOptions, CanaryRule rule) {
        snapshot.add(new IngressRuleSet(
                "default",
                host + "-main",
                T0,
                List.of(new HostRule(host, List.of(new PathRule("/api", PathType.PREFIX, MAIN)))),
                null,
                mainOptions));
        snapshot.add(new IngressRuleSet(
                "default",
                host + "-canary",
                T0.plusSeconds(1),
                List.of(new HostRule(host, List.of(new PathRule("/api", PathType.PREFIX, CANARY)))),
                null,
                RouteOptions.builder().canary(rule).build()));
    }

    @AfterEach
    void stop() {
        proxy.close();
        main.close();
        canary.close();
    }

    @Test
    void byHeaderThenCookie_alwaysAndNever_andTheCanaryGetsTheMainRoutesRewrite() throws Exception {
        assertThat(served("rules.test", "X-Canary", "always")).isEqualTo("canary");
        assertThat(canary.seen.peek().uri()).isEqualTo("/v1/x");
        assertThat(served("rules.test", "X-Canary", "never", "Cookie", "canary=always"))
                .isEqualTo("main");
        assertThat(main.seen.peek().uri()).isEqualTo("/v1/x");
        assertThat(served("rules.test", "X-Canary", "maybe", "Cookie", "canary=always"))
                .isEqualTo("canary");
        assertThat(served("rules.test", "Cookie", "a=1; canary=always")).isEqualTo("canary");
        assertThat(served("rules.test", "Cookie", "canary=never")).isEqualTo("main");
        assertThat(served("rules.test")).isEqualTo("main");
        assertThat(draws.get()).as("weight 0 never draws").isZero();
    }

    @Test
    void byHeaderValueAndPattern() throws Exception {
        assertThat(served("value.test", "X-Canary", "DoCanary")).isEqualTo("canary");
        assertThat(served("value.test", "X-Canary", "always")).isEqualTo("main");
        assertThat(served("pattern.test", "X-Canary", "DoTuesday")).isEqualTo("canary");
        assertThat(served("pattern.test", "X-Canary", "Docanary")).isEqualTo("main");
        assertThat(served("pattern.test", "X-Canary", "Docanary", "Cookie", "canary=always"))
                .isEqualTo("canary");
    }

    @Test
    void weightZeroAndWeightTotal_sendEverythingOneWay() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(served("zero.test")).isEqualTo("main");
            assertThat(served("all.test")).isEqualTo("canary");
        }
        assertThat(main.requests.get()).isEqualTo(20);
        assertThat(canary.requests.get()).isEqualTo(20);
        assertThat(draws.get()).isZero();
    }

    @Test
    void weight_takesExactlyItsShareOfEveryTotalDraws() throws Exception {
        List<String> thirty = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            thirty.add(served("thirty.test"));
        }
        assertThat(thirty.stream().filter("canary"::equals).count()).isEqualTo(30);
        assertThat(thirty.subList(0, 30)).containsOnly("canary"); // draws 0..29 are below the weight
        assertThat(draws.get()).isEqualTo(100);

        draws.set(0);
        long half = 0;
        for (int i = 0; i < 200; i++) {
            half += served("half.test").equals("canary") ? 1 : 0;
        }
        assertThat(half).isEqualTo(100);
    }

    @Test
    void affinityCookie_keepsASessionOnTheBackendItStartedOn() throws Exception {
        draws.set(99); // 99 of 100 is above weight 50: the first request goes to the main backend
        HttpResponse<String> first = get("sticky.test");
        assertThat(main.requests.get()).isEqualTo(1);
        String session = cookieOf(first);
        for (int i = 0; i < 10; i++) { // draws now 0..9: below the weight, yet the session stays
            assertThat(served("sticky.test", "Cookie", session)).isEqualTo("main");
        }

        draws.set(0);
        String canarySession = cookieOf(get("sticky.test"));
        assertThat(canary.requests.get()).isEqualTo(1);
        draws.set(60);
        for (int i = 0; i < 10; i++) {
            assertThat(served("sticky.test", "Cookie", canarySession)).isEqualTo("canary");
        }
    }

    @Test
    void legacyAffinity_theCanaryIgnoresTheCookie_aMainSessionStillSticks() throws Exception {
        draws.set(0); // 0 of 100 is below weight 50: the canary
        HttpResponse<String> onCanary = get("legacy.test");
        assertThat(canary.requests.get()).isEqualTo(1);
        assertThat(onCanary.headers().firstValue("Set-Cookie"))
                .as("the canary sets no affinity cookie")
                .isEmpty();

        draws.set(99); // above the weight: the main backend, which sets its cookie
        String session = cookieOf(get("legacy.test"));
        assertThat(main.requests.get()).isEqualTo(1);
        draws.set(0);
        for (int i = 0; i < 5; i++) { // below the weight, yet the main session stays (ingress-nginx's primary balancer)
            assertThat(served("legacy.test", "Cookie", session)).isEqualTo("main");
        }

        // a cookie naming the canary's endpoint (as a sticky canary would have set) keeps nothing on it
        String canaryHash =
                "INGRESSCOOKIE=" + CookieAffinity.hash(new Endpoint("127.0.0.1", canary.port(), "pod-canary"));
        draws.set(60);
        for (int i = 0; i < 5; i++) { // draws 60..64: above the weight
            assertThat(served("legacy.test", "Cookie", canaryHash)).isEqualTo("main");
        }
    }

    /** Which origin served one GET of {@code /api/x} on {@code host} with these header name/value pairs. */
    private String served(String host, String... headers) throws IOException, InterruptedException {
        int before = canary.requests.get() + main.requests.get() * 1000;
        HttpResponse<String> res = get(host, headers);
        assertThat(res.statusCode()).isEqualTo(200);
        int after = canary.requests.get() + main.requests.get() * 1000;
        return switch (after - before) {
            case 1 -> "canary";
            case 1000 -> "main";
            default -> throw new AssertionError("served by " + (after - before));
        };
    }

    private HttpResponse<String> get(String host, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + proxy.httpPort() + "/api/x"))
                .header("Host", host)
                .timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        canary.seen.clear();
        main.seen.clear();
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cookieOf(HttpResponse<String> res) {
        String setCookie = res.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }
}
