package dev.usher.benchmarks.routing;

import dev.usher.routing.Route;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import java.util.HashMap;
import java.util.Map;
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
 * One {@link RoutingSnapshot#route} call per operation, against {@code hosts} exact hosts plus as many wildcard
 * hosts, five paths each. Requests rotate over 1,024 different hosts so that neither the branch predictor nor the
 * caches see one key only; host headers carry mixed case and a port to exercise normalisation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteLookupBenchmark {

    private static final int REQUESTS = 1024;

    @Param({"10", "1000", "10000"})
    int hosts;

    /** exactHost: exact host, /api prefix; deepPrefix: long path under /api/v1/users; wildcard; miss: 404. */
    @Param({"exactHost", "deepPrefix", "wildcard", "miss"})
    String scenario;

    private RoutingSnapshot snapshot;
    private final Map<String, Route> baseline = new HashMap<>();
    private final String[] baselineKeys = new String[REQUESTS];
    private final String[] hostHeaders = new String[REQUESTS];
    private final String[] uris = new String[REQUESTS];
    private int next;

    @Setup
    public void setUp() {
        snapshot = RoutingSnapshot.builder().addAll(Workloads.ingresses(hosts)).build(new RoutingTable()::backend);
        for (int r = 0; r < REQUESTS; r++) {
            int i = (int) ((r * 2654435761L) % hosts);
            switch (scenario) {
                case "exactHost" -> {
                    hostHeaders[r] = "App-" + i + ".Example.com:443";
                    uris[r] = "/api/orders?id=" + r;
                }
                case "deepPrefix" -> {
                    hostHeaders[r] = Workloads.exactHost(i);
                    uris[r] = "/api/v1/users/" + r + "/orders/2026/11/items/" + r + "/details?expand=all&page=2";
                }
                case "wildcard" -> {
                    hostHeaders[r] = "shop-" + r + "." + Workloads.wildcardDomain(i);
                    uris[r] = "/static/assets/css/site-" + r + ".css";
                }
                case "miss" -> {
                    hostHeaders[r] = "unknown-" + i + ".example.net";
                    uris[r] = "/nothing/here";
                }
                default -> throw new IllegalArgumentException(scenario);
            }
            Route route = snapshot.route(hostHeaders[r], uris[r]);
            if (route.isNotFound() != scenario.equals("miss")) {
                throw new IllegalStateException(scenario + " routed " + hostHeaders[r] + uris[r] + " to " + route);
            }
            baselineKeys[r] = Workloads.exactHost(i);
            baseline.put(baselineKeys[r], route);
            int unused = baselineKeys[r].hashCode(); // cached, as a best case
        }
        for (int i = 0; i < hosts; i++) {
            baseline.putIfAbsent(Workloads.exactHost(i), snapshot.route(Workloads.exactHost(i), "/"));
        }
    }

    /**
     * Context, not a competitor: {@code HashMap.get} of an already lower-cased host whose hash is cached, over the
     * same rotation and table size. It shows what the cheapest possible lookup costs on the machine at hand.
     */
    @Benchmark
    public Route hashMapBaseline() {
        int r = next;
        next = (r + 1) & (REQUESTS - 1);
        return baseline.get(baselineKeys[r]);
    }

    @Benchmark
    public Route route() {
        int r = next;
        next = (r + 1) & (REQUESTS - 1);
        return snapshot.route(hostHeaders[r], uris[r]);
    }
}
