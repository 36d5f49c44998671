package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code enable-access-log: "false"}: the Ingress's requests leave no access-log line, another
 * Ingress's on the same proxy still do. The access log goes to slf4j-simple's standard error, captured here.
 */
final class AccessLogSwitchTest {

    private static final BackendRef APP = new BackendRef("default", "app", PortRef.number(80));

    private static IngressRuleSet ingress(String name, String host, RouteOptions options) {
        return new IngressRuleSet(
                "default",
                name,
                Instant.parse("2024-01-01T00:00:00Z"),
                List.of(new HostRule(host, List.of(new PathRule("/", PathType.PREFIX, APP)))),
                null,
                options);
    }

    @Test
    void anIngressWithTheAccessLogOff_leavesNoLine_othersStillDo() throws Exception {
        RoutingTable table = new RoutingTable();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        try (TestOrigin origin = new TestOrigin("o")) {
            table.updateEndpoints(APP, List.of(new Endpoint("127.0.0.1", origin.port(), "pod-o", null)));
            table.publish(RoutingSnapshot.builder()
                    .add(ingress(
                            "quiet",
                            "quiet.test",
                            RouteOptions.builder().accessLog(false).build()))
                    .add(ingress("loud", "loud.test", RouteOptions.DEFAULT))
                    .build(table::backend));
            ProxyServer proxy = ProxyServer.builder()
                    .routingTable(table)
                    .bindAddress("127.0.0.1")
                    .httpPort(0)
                    .eventLoops(1) // the quiet request is finished before the loud one is read
                    .settings(ProxySettings.defaults())
                    .build();
            proxy.start();
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                HttpClient client = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
                assertThat(get(client, proxy, "quiet.test")).isEqualTo(200);
                assertThat(get(client, proxy, "loud.test")).isEqualTo(200);

                await().atMost(Duration.ofSeconds(20))
                        .until(() -> captured.toString(StandardCharsets.UTF_8).contains("host=loud.test"));
                assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("quiet.test");
                assertThat(origin.requests.get()).isEqualTo(2);
            } finally {
                System.setErr(original);
                proxy.close();
            }
        }
    }

    private static int get(HttpClient client, ProxyServer proxy, String host) throws Exception {
        return client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/echo"))
                                .header("Host", host)
                                .timeout(Duration.ofSeconds(20))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
