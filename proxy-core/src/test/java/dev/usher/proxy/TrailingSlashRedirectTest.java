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
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTPS redirect of a {@code spec.tls} host on real sockets: ingress-nginx's {@code preserve-trailing-slash:
 * "false"} drops the request URI's last byte when it is a {@code /}; Usher's default keeps it. A {@code server-alias}
 * of the host redirects too, to itself.
 */
final class TrailingSlashRedirectTest {

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
                options.toBuilder().tlsHosts(Set.of(host)).build());
    }

    @BeforeEach
    void start() {
        origin = new TestOrigin("o");
        table.updateEndpoints(APP, List.of(new Endpoint("127.0.0.1", origin.port(), "pod-o", null)));
        table.publish(RoutingSnapshot.builder()
                .add(ingress(
                        "nginx-default",
                        "strip.test",
                        RouteOptions.builder()
                                .preserveTrailingSlash(false)
                                .serverAliases(List.of("alias.test"))
                                .build()))
                .add(ingress("kept", "keep.test", RouteOptions.DEFAULT))
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
    void preserveTrailingSlashFalse_dropsTheLastSlashOfTheRequestUri() throws Exception {
        assertThat(location("strip.test", "/a/b/")).isEqualTo("https://strip.test/a/b");
        assertThat(location("strip.test", "/")).isEqualTo("https://strip.test");
        assertThat(location("strip.test", "/a/?x=1")).isEqualTo("https://strip.test/a/?x=1"); // nginx: last byte only
        assertThat(location("strip.test", "/a")).isEqualTo("https://strip.test/a");
        assertThat(location("alias.test", "/a/")).isEqualTo("https://alias.test/a");
        assertThat(origin.requests.get()).isZero();
    }

    @Test
    void byDefault_theRedirectKeepsTheTargetAsSent() throws Exception {
        assertThat(location("keep.test", "/a/b/")).isEqualTo("https://keep.test/a/b/");
        assertThat(location("keep.test", "/")).isEqualTo("https://keep.test/");
    }

    private String location(String host, String target) throws Exception {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + target))
                        .header("Host", host)
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(host + target).isEqualTo(308);
        return response.headers().firstValue("Location").orElseThrow();
    }
}
