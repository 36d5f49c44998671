package dev.usher.proxy;

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
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A proxy on a loopback port with one test origin and one Ingress per host, each with the {@link RouteOptions} a test
 * gives it (as the translator would build them from annotations): {@code host -> options}, path {@code /} Prefix.
 */
final class OptionsFixture implements AutoCloseable {

    static final BackendRef APP = new BackendRef("default", "app", PortRef.number(80));

    final RoutingTable table = new RoutingTable();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final TestOrigin origin = new TestOrigin("origin");
    final ProxyServer proxy;
    final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    OptionsFixture(ProxySettings settings, Map<String, RouteOptions> hosts) {
        this(settings, hosts, System::nanoTime);
    }

    /** As above, with the proxy's injected clock (rate limits, outlier ejections). */
    OptionsFixture(ProxySettings settings, Map<String, RouteOptions> hosts, LongSupplier nanoClock) {
        this(settings, hosts, nanoClock, builder -> {});
    }

    /** As above, with more proxy settings ({@code extra}: an HTTPS listener, say). */
    OptionsFixture(
            ProxySettings settings,
            Map<String, RouteOptions> hosts,
            LongSupplier nanoClock,
            Consumer<ProxyServer.Builder> extra) {
        this(settings, hosts, new PathRule("/", PathType.PREFIX, APP), nanoClock, extra);
    }

    /** As above, each host's one rule being {@code rule} instead of {@code /} Prefix (a regex path, say). */
    OptionsFixture(ProxySettings settings, Map<String, RouteOptions> hosts, PathRule rule) {
        this(settings, hosts, rule, System::nanoTime, builder -> {});
    }

    private OptionsFixture(
            ProxySettings settings,
            Map<String, RouteOptions> hosts,
            PathRule rule,
            LongSupplier nanoClock,
            Consumer<ProxyServer.Builder> extra) {
        this(
                settings,
                hosts.entrySet().stream()
                        .map(host -> ingress(host.getKey().replace('.', '-'), host.getKey(), rule, host.getValue()))
                        .toList(),
                nanoClock,
                extra);
    }

    /** The given Ingresses (see {@link #ingress}), their backend {@link #APP} being the test origin. */
    OptionsFixture(ProxySettings settings, List<IngressRuleSet> ingresses) {
        this(settings, ingresses, System::nanoTime, builder -> {});
    }

    /** As above, with the proxy's injected clock and more proxy settings. */
    OptionsFixture(
            ProxySettings settings,
            List<IngressRuleSet> ingresses,
            LongSupplier nanoClock,
            Consumer<ProxyServer.Builder> extra) {
        table.updateEndpoints(APP, List.of(new Endpoint("127.0.0.1", origin.port(), "pod-0")));
        RoutingSnapshot.Builder snapshot = RoutingSnapshot.builder();
        ingresses.forEach(snapshot::add);
        table.publish(snapshot.build(table::backend));
        ProxyServer.Builder builder = ProxyServer.builder()
                .routingTable(table)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .eventLoops(1)
                .settings(settings)
                .nanoClock(nanoClock)
                .meterRegistry(registry);
        extra.accept(builder);
        proxy = builder.build();
        proxy.start();
    }

    /** An Ingress {@code default/name} of one host whose {@code /} Prefix goes to {@link #APP}. */
    static IngressRuleSet ingress(String name, String host, RouteOptions options) {
        return ingress(name, host, new PathRule("/", PathType.PREFIX, APP), options);
    }

    /** An Ingress {@code default/name} of one host with one rule. */
    static IngressRuleSet ingress(String name, String host, PathRule rule, RouteOptions options) {
        return new IngressRuleSet(
                "default",
                name,
                Instant.parse("2024-01-01T00:00:00Z"),
                List.of(new HostRule(host, List.of(rule))),
                null,
                options);
    }

    HttpResponse<String> get(String host, String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + path))
                .header("Host", host)
                .timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String host, String path, byte[] body) throws IOException, InterruptedException {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + path))
                        .header("Host", host)
                        .timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        proxy.close();
        origin.close();
    }
}
