package dev.usher.benchmarks.routing;

import dev.usher.routing.BackendRef;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.NginxPaths;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.PortRef;
import dev.usher.routing.Route;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route lookup on a host in ingress-nginx regex mode against the same number of paths on a Prefix host, in one
 * snapshot. Each host has {@code paths} rules; requests rotate over 1,024 targets spread over all the rules.
 *
 * <ul>
 *   <li>{@code prefixHost}: {@code Prefix /svc-N} rules (the {@code PathIndex} path), the baseline;
 *   <li>{@code regexHost}: {@code /svc-N(/|$)(.*)} with {@code rewrite-target: /$2}, the common ingress-nginx shape:
 *       the literal prefix {@code /svc-N} filters the candidates before RE2/J runs;
 *   <li>{@code regexMiss}: a path no regex of that host matches (fallback);
 *   <li>{@code regexNoLiteral}: {@code /[a-z]+-N(/|$)(.*)}, no literal prefix beyond {@code /}: the engine runs on
 *       every rule longer than the winner, the worst case.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RegexRouteBenchmark {

    private static final int REQUESTS = 1024;
    private static final String PREFIX_HOST = "prefix.example.com";
    private static final String REGEX_HOST = "regex.example.com";
    private static final String WIDE_HOST = "wide.example.com";

    @Param({"10", "1000"})
    int paths;

    @Param({"prefixHost", "regexHost", "regexMiss", "regexNoLiteral"})
    String scenario;

    private RoutingSnapshot snapshot;
    private String host;
    private final String[] uris = new String[REQUESTS];
    private int next;

    @Setup
    public void setUp() {
        BackendRef backend = new BackendRef("default", "svc", PortRef.number(80));
        List<PathRule> prefix = new ArrayList<>();
        List<PathRule> regex = new ArrayList<>();
        List<PathRule> wide = new ArrayList<>();
        for (int i = 0; i < paths; i++) {
            prefix.add(new PathRule("/svc-" + i, PathType.PREFIX, backend));
            regex.add(new PathRule("/svc-" + i + "(/|$)(.*)", PathType.PREFIX, backend));
            wide.add(new PathRule("/[a-z]+-" + i + "(/|$)(.*)", PathType.PREFIX, backend));
        }
        RouteOptions nginx =
                RouteOptions.builder().nginxPaths(new NginxPaths(true, "/$2")).build();
        snapshot = RoutingSnapshot.builder()
                .add(new IngressRuleSet(
                        "default",
                        "prefix",
                        Instant.EPOCH,
                        List.of(new HostRule(PREFIX_HOST, prefix)),
                        null,
                        RouteOptions.DEFAULT))
                .add(new IngressRuleSet(
                        "default",
                        "regex",
                        Instant.EPOCH,
                        List.of(new HostRule(REGEX_HOST, regex), new HostRule(WIDE_HOST, wide)),
                        null,
                        nginx))
                .build(new RoutingTable()::backend);
        host = switch (scenario) {
            case "prefixHost" -> PREFIX_HOST;
            case "regexHost", "regexMiss" -> REGEX_HOST;
            case "regexNoLiteral" -> WIDE_HOST;
            default -> throw new IllegalArgumentException(scenario);
        };
        for (int r = 0; r < REQUESTS; r++) {
            int i = (int) ((r * 2654435761L) % paths);
            uris[r] = scenario.equals("regexMiss")
                    ? "/nothing/here/" + r
                    : "/svc-" + i + "/api/v1/orders/" + r + "?page=2";
            Route route = snapshot.route(host, uris[r]);
            if (route.isNotFound() != scenario.equals("regexMiss")) {
                throw new IllegalStateException(scenario + " routed " + uris[r] + " to " + route);
            }
        }
    }

    @Benchmark
    public Route route() {
        int r = next;
        next = (r + 1) & (REQUESTS - 1);
        return snapshot.route(host, uris[r]);
    }

    /** The lookup and the URI sent upstream: a regex host's rewrite runs the winner's regex once more. */
    @Benchmark
    public String routeAndUpstreamUri() {
        int r = next;
        next = (r + 1) & (REQUESTS - 1);
        String uri = uris[r];
        return snapshot.route(host, uri).upstreamUri(uri);
    }
}
