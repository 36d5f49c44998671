package dev.usher.proxy;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A proxy on a loopback port routing {@code app.test} to {@code default/app:80} (whose endpoints are test origins),
 * {@code rw.test/api} with a rewrite to {@code /v2}, {@code secure.test} with an HTTPS redirect, {@code empty.test}
 * to a backend with no endpoints, and {@code stream.test} to {@code default/app:80} with request buffering off.
 */
final class ProxyFixture implements AutoCloseable {

    static final BackendRef APP = new BackendRef("default", "app", dev.usher.routing.PortRef.number(80));
    static final BackendRef EMPTY = new BackendRef("default", "empty", dev.usher.routing.PortRef.number(80));

    final RoutingTable table = new RoutingTable();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<TestOrigin> origins = new ArrayList<>();
    final ProxyServer proxy;
    final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    ProxyFixture(int originCount, ProxySettings settings) {
        this(originCount, settings, null);
    }

    ProxyFixture(int originCount, ProxySettings settings, java.util.function.Consumer<ProxyServer.Builder> extra) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < originCount; i++) {
            TestOrigin origin = new TestOrigin("origin-" + i);
            origins.add(origin);
            endpoints.add(new Endpoint("127.0.0.1", origin.port(), "pod-" + i));
        }
        IngressRuleSet app = new IngressRuleSet(
                "default",
                "app-ingress",
                Instant.parse("2024-01-01T00:00:00Z"),
                List.of(
                        new HostRule("app.test", List.of(new PathRule("/", PathType.PREFIX, APP))),
                        new HostRule("empty.test", List.of(new PathRule("/", PathType.PREFIX, EMPTY))),
                        new HostRule(null, List.of(new PathRule("/any-host", PathType.PREFIX, APP)))),
                null,
                RouteOptions.DEFAULT);
        IngressRuleSet rewrite = new IngressRuleSet(
                "default",
                "rw-ingress",
                Instant.parse("2024-01-01T00:00:00Z"),
                List.of(new HostRule("rw.test", List.of(new PathRule("/api", PathType.PREFIX, APP)))),
                null,
                RouteOptions.builder().rewriteTarget("/v2").sslRedirect(false).build());
        IngressRuleSet secure = new IngressRuleSet(
                "default",
                "secure-ingress",
                Instant.parse("2024-01-01T00:00:00Z"),
                List.of(new HostRule("secure.test", List.of(new PathRule("/", PathType.PREFIX, APP)))),
                null,
                RouteOptions.builder().tlsHosts(Set.of("secure.test")).build());
        IngressRuleSet streamed = new IngressRuleSet(
                "default",
                "stream-ingress",
                Instant.parse("2024-01-01T00:00:00Z"),
                List.of(new HostRule("stream.test", List.of(new PathRule("/", PathType.PREFIX, APP)))),
                null,
                RouteOptions.builder().requestBuffering(false).build());
        table.updateEndpoints(APP, endpoints);
        table.publish(RoutingSnapshot.builder()
                .add(app)
                .add(rewrite)
                .add(secure)
                .add(streamed)
                .build(table::backend));
        ProxyServer.Builder builder = ProxyServer.builder()
                .routingTable(table)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .eventLoops(2)
                .settings(settings)
                .meterRegistry(registry);
        if (extra != null) {
            extra.accept(builder);
        }
        proxy = builder.build();
        proxy.start();
    }

    /** Opens a WebSocket to {@code app.test} through the proxy; text frames it receives go to {@code received}. */
    WebSocket webSocket(String path, BlockingQueue<String> received) throws Exception {
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                received.add(data.toString());
                webSocket.request(1);
                return CompletableFuture.completedFuture(null);
            }
        };
        return client.newWebSocketBuilder()
                .header("Host", "app.test")
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.httpPort() + path), listener)
                .get(10, TimeUnit.SECONDS);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + proxy.httpPort() + path);
    }

    HttpResponse<String> get(String host, String path) throws IOException, InterruptedException {
        return client.send(
                HttpRequest.newBuilder(uri(path))
                        .header("Host", host)
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    int totalOriginConnections() {
        return origins.stream().mapToInt(o -> o.connections.get()).sum();
    }

    @Override
    public void close() {
        proxy.close();
        origins.forEach(TestOrigin::close);
    }
}
