package dev.usher.benchmarks.routing;

import dev.usher.routing.PathNormalizer;
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
 * One {@link PathNormalizer#normalize} call per operation, the cost every request pays before routing. Targets rotate
 * over 1,024 distinct strings. {@code clean}: paths that need no change (the common case: one scan, the same
 * instance back, nothing allocated); {@code dirty}: dot segments, a repeated slash and escapes to decode, so the path
 * is rebuilt; the query string is kept in both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PathNormalizerBenchmark {

    private static final int REQUESTS = 1024;

    @Param({"clean", "dirty"})
    String scenario;

    private final String[] targets = new String[REQUESTS];
    private int next;

    @Setup
    public void setUp() {
        for (int r = 0; r < REQUESTS; r++) {
            String target =
                    switch (scenario) {
                        case "clean" ->
                            "/api/v1/users/" + r + "/orders/2026/11/items/" + r + "/caf%C3%A9?expand=all&page=2";
                        case "dirty" ->
                            "/api/v1/users/" + r + "/../" + r + "//orders/./%7e2026/items/%2e%2e/" + r
                                    + "?expand=all&page=2";
                        default -> throw new IllegalArgumentException(scenario);
                    };
            String normalized = PathNormalizer.normalize(target);
            if ((normalized == target) != scenario.equals("clean")) {
                throw new IllegalStateException(scenario + ": " + target + " -> " + normalized);
            }
            targets[r] = target;
        }
    }

    @Benchmark
    public String normalize() {
        int r = next;
        next = (r + 1) & (REQUESTS - 1);
        return PathNormalizer.normalize(targets[r]);
    }
}
