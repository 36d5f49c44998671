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
import dev.usher.routing.Upstream;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Routes for the origin-protocol tests: each host an Ingress of its own sending {@code /} to a backend with the
 * given {@link Upstream}, and a proxy on one event loop (so every exchange shares one per-loop pool).
 */
final class UpstreamRoutes {

    private final RoutingTable table = new RoutingTable();
    private final RoutingSnapshot.Builder snapshot = RoutingSnapshot.builder();

    /** {@code backend}'s one endpoint is {@code 127.0.0.1:port}. */
    UpstreamRoutes endpoint(BackendRef backend, int port) {
        table.updateEndpoints(backend, List.of(new Endpoint("127.0.0.1", port, backend.service() + "-0")));
        return this;
    }

    UpstreamRoutes route(String host, BackendRef backend, Upstream upstream) {
        snapshot.add(new IngressRuleSet(
                "default",
                host,
                Instant.parse("2024-01-01T00:00:00Z"),
                List.of(new HostRule(host, List.of(new PathRule("/", PathType.PREFIX, backend)))),
                null,
                RouteOptions.builder().upstreams(Map.of(backend, upstream)).build()));
        return this;
    }

    /** Publishes the routes and starts a proxy on them, on a loopback port. */
    ProxyServer start() {
        return start(ProxySettings.defaults(), builder -> {});
    }

    /** The same with these settings, and whatever else {@code extra} sets on the builder (an HTTPS listener). */
    ProxyServer start(ProxySettings settings, java.util.function.Consumer<ProxyServer.Builder> extra) {
        table.publish(snapshot.build(table::backend));
        ProxyServer.Builder builder = ProxyServer.builder()
                .routingTable(table)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .eventLoops(1)
                .settings(settings);
        extra.accept(builder);
        ProxyServer proxy = builder.build();
        proxy.start();
        return proxy;
    }
}
