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
 * ingress-nginx's {@code from-to-www-redirect} on real sockets: {@code www.} and bare names redirect to the Ingress's
 * host with the port, path and query kept, before any route (a wildcard would otherwise take them); a name another
 * Ingress serves itself is served, not redirected.
 */
final class WwwRedirectTest {

    private static final BackendRef APP = new BackendRef("default", "app", PortRef.number(80));
    private final RoutingTable table = new RoutingTable();
    private final HttpClient client =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private TestOrigin origin;
    private ProxyServer proxy;

    private static IngressRuleSet ingress(String name, String host, RouteOptions options) {
        return new IngressRuleSet(
                "default",
                name,
                Instant.parse("2024-01-01T00:00:00Z"),
                List.of(new HostRule(host, List.of(new PathRule("/", PathType.PREFIX, APP)))),
                null,
                options);
    }

    @BeforeEach
    void start() {
        origin = new TestOrigin("o");
        table.updateEndpoints(APP, List.of(new Endpoint("127.0.0.1", origin.port(), "pod-o", null)));
        RouteOptions www = RouteOptions.builder().fromToWwwRedirect(true).build();
        table.publish(RoutingSnapshot.builder()
                .add(ingress("bare", "example.test", www))
                .add(ingress("prefixed", "www.other.test", www))
                .add(ingress("taken", "shop.test", www))
                .add(ingress("www-shop", "www.shop.test", RouteOptions.DEFAULT)) // served itself: no redirect
                .add(ingress("wild", "*.example.test", RouteOptions.DEFAULT))
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
        origin.close();
    }

    @Test
    void wwwAndBareNames_redirectToTheIngressHost_keepingPortPathAndQuery() throws Exception {
        HttpResponse<String> toBare = get("WWW.Example.test:8080", "/a/b?x=1&y=2");
        assertThat(toBare.statusCode()).isEqualTo(308);
        assertThat(toBare.headers().firstValue("Location")).hasValue("http://example.test:8080/a/b?x=1&y=2");

        HttpResponse<String> toWww = get("other.test", "/");
        assertThat(toWww.statusCode()).isEqualTo(308);
        assertThat(toWww.headers().firstValue("Location")).hasValue("http://www.other.test/");
        assertThat(origin.requests.get()).isZero();
    }

    @Test
    void theIngressHostItself_andANameAnotherIngressServes_areServed() throws Exception {
        assertThat(get("example.test", "/echo").statusCode()).isEqualTo(200);
        assertThat(get("www.shop.test", "/echo").statusCode()).isEqualTo(200);
        assertThat(get("api.example.test", "/echo").statusCode()).isEqualTo(200); // the wildcard, no redirect
        assertThat(origin.requests.get()).isEqualTo(3);
    }

    private HttpResponse<String> get(String host, String target) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + target))
                        .header("Host", host)
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
