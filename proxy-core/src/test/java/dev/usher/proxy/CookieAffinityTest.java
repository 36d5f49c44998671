package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.BackendRef;
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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's cookie affinity on real sockets, two origins behind one backend (round robin without a cookie): a
 * session cookie sticks to its origin across many requests, a removed endpoint re-balances and sets a new cookie, a
 * forged or clear-text value is as good as none, and the cookie never shows the endpoint's address. One event loop, so
 * round robin without a cookie alternates deterministically.
 */
final class CookieAffinityTest {

    private static final BackendRef APP = new BackendRef("default", "app", PortRef.number(80));

    private final RoutingTable table = new RoutingTable();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private TestOrigin a;
    private TestOrigin b;
    private ProxyServer proxy;

    @BeforeEach
    void start() {
        a = new TestOrigin("a");
        b = new TestOrigin("b");
        table.updateEndpoints(APP, List.of(endpoint(a), endpoint(b)));
        RouteOptions sticky = RouteOptions.builder()
                .affinity(new SessionAffinity(
                        SessionAffinity.DEFAULT_NAME, null, 3600, -1, "Lax", false, false, null, false))
                .build();
        table.publish(RoutingSnapshot.builder()
                .add(new IngressRuleSet(
                        "default",
                        "sticky",
                        Instant.parse("2024-01-01T00:00:00Z"),
                        List.of(new HostRule("sticky.test", List.of(new PathRule("/", PathType.PREFIX, APP)))),
                        null,
                        sticky))
                .add(new IngressRuleSet(
                        "default",
                        "move",
                        Instant.parse("2024-01-01T00:00:00Z"),
                        List.of(new HostRule("move.test", List.of(new PathRule("/", PathType.PREFIX, APP)))),
                        null,
                        RouteOptions.builder()
                                .affinity(new SessionAffinity("route", "/", -1, -1, null, true, true, null, false))
                                .build()))
                .add(new IngressRuleSet(
                        "default",
                        "cross-site",
                        Instant.parse("2024-01-01T00:00:00Z"),
                        List.of(new HostRule("app.cross.test", List.of(new PathRule("/", PathType.PREFIX, APP)))),
                        null,
                        RouteOptions.builder()
                                .affinity(new SessionAffinity(
                                        "s", null, -1, -1, "None", false, false, ".cross.test", true))
                                .build()))
                .add(new IngressRuleSet(
                        "default",
                        "plain",
                        Instant.parse("2024-01-01T00:00:00Z"),
                        List.of(new HostRule("plain.test", List.of(new PathRule("/", PathType.PREFIX, APP)))),
                        null,
                        RouteOptions.DEFAULT))
                .build(table::backend));
        proxy = ProxyServer.builder()
                .routingTable(table)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .eventLoops(1)
                .settings(ProxySettings.defaults())
                .build();
        proxy.start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        a.close();
        b.close();
    }

    @Test
    void firstResponse_setsTheCookie_andTheSameCookieSticksToOneOrigin() throws Exception {
        HttpResponse<String> first = get("sticky.test", null);
        String setCookie = first.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).matches("INGRESSCOOKIE=[0-9a-f]{32}; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax");
        assertThat(setCookie)
                .doesNotContain("127.0.0.1")
                .doesNotContain(String.valueOf(a.port()))
                .doesNotContain(String.valueOf(b.port()));
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        TestOrigin mine = a.requests.get() == 1 ? a : b;
        TestOrigin other = mine == a ? b : a;

        for (int i = 0; i < 40; i++) {
            HttpResponse<String> res = get("sticky.test", cookie);
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("Set-Cookie")).isEmpty(); // the session is where it belongs
        }

        assertThat(mine.requests.get()).isEqualTo(41);
        assertThat(other.requests.get()).isZero();
        // without the cookie the same backend still balances over both
        for (int i = 0; i < 4; i++) {
            get("sticky.test", null);
        }
        assertThat(other.requests.get()).isPositive();
    }

    @Test
    void removedEndpoint_rebalances_andSetsANewCookieThatSticks() throws Exception {
        String first = cookieOf(get("sticky.test", null));
        TestOrigin gone = a.requests.get() == 1 ? a : b;
        TestOrigin left = gone == a ? b : a;

        table.updateEndpoints(APP, List.of(endpoint(left)));
        HttpResponse<String> moved = get("sticky.test", first);

        assertThat(moved.statusCode()).isEqualTo(200);
        String second = cookieOf(moved);
        assertThat(second).isNotEqualTo(first);
        assertThat(left.requests.get()).isEqualTo(1);

        table.updateEndpoints(APP, List.of(endpoint(a), endpoint(b))); // back: the new session stays where it went
        for (int i = 0; i < 10; i++) {
            assertThat(get("sticky.test", second).headers().firstValue("Set-Cookie"))
                    .isEmpty();
        }
        assertThat(left.requests.get()).isEqualTo(11);
        assertThat(gone.requests.get()).isEqualTo(1);
    }

    @Test
    void forgedOrClearTextCookie_isTreatedAsAbsent_andReplaced() throws Exception {
        for (String forged : List.of(
                "INGRESSCOOKIE=00000000000000000000000000000000",
                "INGRESSCOOKIE=127.0.0.1:" + a.port(),
                "INGRESSCOOKIE=",
                "INGRESSCOOKIE=%0d%0aX: y")) {
            HttpResponse<String> res = get("sticky.test", forged);
            assertThat(res.statusCode()).as(forged).isEqualTo(200);
            assertThat(res.headers().firstValue("Set-Cookie")).as(forged).hasValueSatisfying(c -> assertThat(c)
                    .matches("INGRESSCOOKIE=[0-9a-f]{32}; .*"));
        }
        // balanced as without a cookie: both origins served some of the four
        assertThat(a.requests.get()).isPositive();
        assertThat(b.requests.get()).isPositive();
    }

    @Test
    void failingStickyEndpoint_failsOverKeepingTheCookie_andChangeOnFailureMovesIt() throws Exception {
        String cookie = cookieOf(get("sticky.test", null));
        TestOrigin mine = a.requests.get() == 1 ? a : b;
        TestOrigin other = mine == a ? b : a;
        String moveCookie = "route" + cookie.substring(cookie.indexOf('=')); // the same endpoint, move.test's name
        mine.resetAll = true; // a reset before the response: retried on the other endpoint (GET, "error")

        HttpResponse<String> kept = get("sticky.test", cookie);
        HttpResponse<String> moved = get("move.test", moveCookie);

        assertThat(kept.statusCode()).isEqualTo(200);
        assertThat(kept.headers().firstValue("Set-Cookie")).isEmpty(); // session-cookie-change-on-failure off
        assertThat(moved.statusCode()).isEqualTo(200);
        assertThat(moved.headers().firstValue("Set-Cookie").orElseThrow())
                .startsWith("route=")
                .doesNotContain(moveCookie.substring(moveCookie.indexOf('=') + 1))
                .contains("; Secure; HttpOnly");
        assertThat(other.requests.get()).isEqualTo(2);
    }

    @Test
    void ejectedStickyEndpoint_isBalancedAway_andANewCookieIsSet() throws Exception {
        String cookie = cookieOf(get("sticky.test", null));
        TestOrigin mine = a.requests.get() == 1 ? a : b;
        mine.resetAll = true;
        // five failures in a row eject it (outlierConsecutiveFailures); each request is still served by the other
        for (int i = 0; i < 5; i++) {
            assertThat(get("sticky.test", cookie).statusCode()).isEqualTo(200);
        }
        int tried = mine.requests.get();

        HttpResponse<String> res = get("sticky.test", cookie);

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Set-Cookie"))
                .hasValueSatisfying(
                        c -> assertThat(c).startsWith("INGRESSCOOKIE=").doesNotStartWith(cookie + ";"));
        assertThat(mine.requests.get()).isEqualTo(tried); // ejected: not tried first any more
    }

    @Test
    void routeWithoutAffinity_setsNoCookie_andIgnoresOne() throws Exception {
        String cookie = cookieOf(get("sticky.test", null));

        for (int i = 0; i < 4; i++) {
            assertThat(get("plain.test", cookie).headers().firstValue("Set-Cookie"))
                    .isEmpty();
        }
        assertThat(a.requests.get()).isPositive();
        assertThat(b.requests.get()).isPositive();
    }

    @Test
    void domainIsSet_andSameSiteNoneIsLeftOutOnlyForBrowsersThatRejectIt() throws Exception {
        String chrome60 = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/60.0.3112.113 Safari/537.36";
        String chrome120 = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/120.0.0.0 Safari/537.36";

        assertThat(setCookie(chrome120)).matches("s=[0-9a-f]{32}; Path=/; Domain=.cross.test; HttpOnly; SameSite=None");
        assertThat(setCookie(chrome60)).matches("s=[0-9a-f]{32}; Path=/; Domain=.cross.test; HttpOnly");
    }

    private String setCookie(String userAgent) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/echo"))
                .header("Host", "app.cross.test")
                .header("User-Agent", userAgent)
                .timeout(Duration.ofSeconds(20))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString())
                .headers()
                .firstValue("Set-Cookie")
                .orElseThrow();
    }

    private static String cookieOf(HttpResponse<String> res) {
        String setCookie = res.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private HttpResponse<String> get(String host, String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + proxy.httpPort() + "/echo"))
                .header("Host", host)
                .timeout(Duration.ofSeconds(20));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Endpoint endpoint(TestOrigin origin) {
        return new Endpoint("127.0.0.1", origin.port(), "pod-" + origin.name);
    }
}
