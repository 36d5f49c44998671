package dev.usher.benchmarks.routing;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Reports CPU nanoseconds the benchmark JVM spent per operation ({@code -prof
 * dev.usher.benchmarks.routing.ProcessCpuProfiler}).
 *
 * <p>Why: on a shared, oversubscribed machine the wall-clock score mostly measures how long the thread waited for
 * a core. Process CPU time only counts time actually spent running (benchmark thread, plus JIT and GC, which are
 * quiet after warm-up for an allocation-free benchmark), so it estimates the cost of the code itself. Cache
 * pollution by other processes still shows, so treat it as an upper bound of a quiet machine's figure.
 */
public final class ProcessCpuProfiler implements InternalProfiler {

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long startCpu;

    @Override
    public String getDescription() {
        return "process CPU time per operation";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        startCpu = os.getProcessCpuTime();
    }

    @Override
    @SuppressWarnings("rawtypes") // the signature is JMH's, whose Result is used raw in InternalProfiler
    public Collection<? extends Result> afterIteration(
            BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
        long cpu = os.getProcessCpuTime() - startCpu;
        long ops = result.getMetadata().getMeasuredOps();
        double perOp = ops == 0 ? Double.NaN : (double) cpu / ops;
        return List.of(new ScalarResult("cpu.time.norm", perOp, "ns/op", AggregationPolicy.AVG));
    }
}
