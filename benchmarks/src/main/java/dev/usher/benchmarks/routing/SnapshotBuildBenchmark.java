package dev.usher.benchmarks.routing;

import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
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
 * Compiles a snapshot from {@code ingresses} rule sets (half exact hosts, half wildcard hosts, five paths each),
 * as the watcher does on every change. The table's backend holders already exist, as they do on a rebuild.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SnapshotBuildBenchmark {

    @Param({"10000"})
    int ingresses;

    private List<IngressRuleSet> ruleSets;
    private RoutingTable table;

    @Setup
    public void setUp() {
        ruleSets = Workloads.ingresses(ingresses / 2);
        table = new RoutingTable();
    }

    @Benchmark
    public RoutingSnapshot build() {
        return RoutingSnapshot.builder().addAll(ruleSets).build(table::backend);
    }
}
