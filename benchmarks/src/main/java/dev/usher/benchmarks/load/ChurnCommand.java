package dev.usher.benchmarks.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code usher-bench churn}: route and endpoint edits through the manifests folder (or, with {@code --cluster}, the
 * API server) while load runs.
 */
@Command(
        name = "churn",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Start Usher on generated manifests, run load, and while it runs apply route edits (and "
                    + "endpoint changes) through the manifests folder (with --cluster: through a mock API server "
                    + "Usher watches) at a steady pace.",
            "Reports the load's non-2xx responses and resets, and the propagation delay of each new route "
                    + "(rename -> first 200 seen by a probe), p50 and p99."
        })
final class ChurnCommand implements Callable<Integer> {

    @Option(
            names = "--edits",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Route edits (default: ${DEFAULT-VALUE}).")
    int edits;

    @Option(
            names = "--edit-rate",
            paramLabel = "PER_S",
            defaultValue = "10",
            description = "Route edits per second (default: ${DEFAULT-VALUE}).")
    double editRate;

    @Option(
            names = "--warmup-edits",
            paramLabel = "N",
            defaultValue = "0",
            description = "Edits applied at the same pace during the load's warm-up (which lasts at least as long), "
                    + "so the measured edits meet a control plane as warm as the data plane; their propagation is "
                    + "reported apart, as the cold figures (default: ${DEFAULT-VALUE}).")
    int warmupEdits;

    @Option(
            names = "--endpoint-every",
            paramLabel = "N",
            defaultValue = "10",
            description =
                    "Also change origin-0's endpoints every N route edits, 0 = never " + "(default: ${DEFAULT-VALUE}).")
    int endpointEvery;

    @Option(
            names = "--churn-files",
            paramLabel = "N",
            defaultValue = "50",
            description = "Files the edits rotate through; a route lives N / edit-rate seconds "
                    + "(default: ${DEFAULT-VALUE}).")
    int churnFiles;

    @Mixin
    LoadOptions load = new LoadOptions();

    @Mixin
    UsherOptions usher = new UsherOptions();

    @Override
    public Integer call() throws Exception {
        if (edits < 1 || editRate <= 0 || churnFiles < 1 || warmupEdits < 0) {
            throw new IllegalArgumentException(
                    "--edits, --edit-rate and --churn-files must be positive, --warmup-edits not negative");
        }
        usher.origins = Math.max(2, usher.origins); // endpoint changes move origin-0's traffic between two origins
        Path out = load.outputDir("churn");
        Duration churnTime =
                Duration.ofMillis(Math.round(edits / editRate * 1000)).plusSeconds(5);
        Duration duration = load.duration.compareTo(churnTime) > 0 ? load.duration : churnTime;
        Duration warmupChurn = warmupEdits == 0
                ? Duration.ZERO
                : Duration.ofMillis(Math.round(warmupEdits / editRate * 1000)).plusSeconds(2);
        Duration warmup = load.warmup.compareTo(warmupChurn) > 0 ? load.warmup : warmupChurn;
        ExecutorService loader = Executors.newSingleThreadExecutor();
        try (LocalSetup setup = LocalSetup.start(usher, load, out)) {
            System.out.printf(
                    "usher pid %d on :%d (%s); %d edits at %.1f/s while %d connections load it for %d s%n",
                    setup.usher().pid(),
                    setup.usher().httpPort(),
                    usher.cluster ? "cluster mode" : "manifests",
                    edits,
                    editRate,
                    load.connections,
                    duration.toSeconds());
            LoadSettings settings = new LoadSettings(
                    setup.address(),
                    setup.requests(),
                    load.connections,
                    warmup,
                    duration,
                    load.rate,
                    load.bodySize,
                    load.timeout,
                    load.threads);
            CountDownLatch counting = new CountDownLatch(1);
            Progress progress = new Progress() {
                private final Progress print = Progress.printingTo(System.out, "churn");

                @Override
                public void tick(double elapsed, boolean isCounting, Latency interval, Errors errors) {
                    print.tick(elapsed, isCounting, interval, errors);
                }

                @Override
                public void countingStarted() {
                    counting.countDown();
                }
            };
            Future<LoadResult> loadRun = loader.submit(
                    () -> MeasuredProcess.run("usher", setup.usher().pid(), settings, progress));
            Churner.Report cold = warmupEdits == 0
                    ? null
                    : new Churner(
                                    setup.target(),
                                    setup.address(),
                                    setup.originPorts(),
                                    0,
                                    warmupEdits,
                                    editRate,
                                    endpointEvery,
                                    churnFiles)
                            .run();
            while (!counting.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                if (loadRun.isDone()) {
                    loadRun.get(); // surfaces the load's failure
                }
            }
            Churner.Report churn = new Churner(
                            setup.target(),
                            setup.address(),
                            setup.originPorts(),
                            warmupEdits,
                            edits,
                            editRate,
                            endpointEvery,
                            churnFiles)
                    .run();
            LoadResult result = loadRun.get();
            return report(out, result, churn, cold);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            loader.shutdownNow();
        }
    }

    private int report(Path out, LoadResult result, Churner.Report churn, Churner.Report cold)
            throws java.io.IOException {
        Reports.print(System.out, result);
        if (cold != null) {
            Latency c = cold.propagation();
            System.out.printf(
                    Locale.ROOT,
                    "warm-up (not counted): %d route edits, %d endpoint edits; propagation p50 %.1f ms, p99 %.1f ms, "
                            + "max %.1f ms (%d seen, %d missed, %d probe errors, %d probes)%n",
                    cold.routeEdits(),
                    cold.endpointEdits(),
                    c.p50() / 1e3,
                    c.p99() / 1e3,
                    c.max() / 1e3,
                    cold.seen(),
                    cold.missed(),
                    cold.probeErrors(),
                    cold.probes());
        }
        Errors errors = result.measurement().errors();
        Latency p = churn.propagation();
        System.out.printf(
                Locale.ROOT,
                "churn: %d route edits, %d endpoint edits; load non-2xx %d, resets %d, "
                        + "other errors %d; propagation p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d seen, %d missed, "
                        + "%d probe errors, %d probe requests sent beside the load)%n",
                churn.routeEdits(),
                churn.endpointEdits(),
                errors.nonSuccess(),
                errors.resets(),
                errors.connect() + errors.timeouts() + errors.other(),
                p.p50() / 1e3,
                p.p99() / 1e3,
                p.max() / 1e3,
                churn.seen(),
                churn.missed(),
                churn.probeErrors(),
                churn.probes());
        StringBuilder perEdit = new StringBuilder("edit,counted,endpoint_edit,propagation_us\n");
        for (Churner.Report report : cold == null ? List.of(churn) : List.of(cold, churn)) {
            report.perEditMicros().forEach((k, micros) -> perEdit.append(k)
                    .append(',')
                    .append(report == churn)
                    .append(',')
                    .append(endpointEvery > 0 && k % endpointEvery == 0)
                    .append(',')
                    .append(micros)
                    .append('\n'));
        }
        java.nio.file.Files.writeString(out.resolve("propagation.csv"), perEdit); // -1: missed
        Map<String, Object> settings = new LinkedHashMap<>(load.describe());
        settings.putAll(usher.describe());
        settings.put("edits", edits);
        settings.put("editsPerSecond", editRate);
        settings.put("endpointEvery", endpointEvery);
        settings.put("churnFiles", churnFiles);
        settings.put("warmupEdits", warmupEdits);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("routeEdits", churn.routeEdits());
        summary.put("endpointEdits", churn.endpointEdits());
        summary.put("loadNon2xx", errors.nonSuccess());
        summary.put("loadResets", errors.resets());
        summary.put("propagationMicros", micros(p));
        summary.put("seen", churn.seen());
        summary.put("missed", churn.missed());
        summary.put("probeErrors", churn.probeErrors());
        summary.put("probes", churn.probes());
        if (cold != null) {
            Map<String, Object> warm = new LinkedHashMap<>();
            warm.put("routeEdits", cold.routeEdits());
            warm.put("endpointEdits", cold.endpointEdits());
            warm.put("propagationMicros", micros(cold.propagation()));
            warm.put("seen", cold.seen());
            warm.put("missed", cold.missed());
            summary.put("warmup", warm);
        }
        Reports.write(out, "usher-bench churn", settings, List.of(result), Map.of("churn", summary));
        System.out.println("wrote " + out.resolve("results.json") + ", " + out.resolve("latency.svg") + " and "
                + out.resolve("propagation.csv"));
        boolean coldMissed = cold != null && cold.missed() > 0;
        return errors.total() == 0 && churn.missed() == 0 && !coldMissed ? 0 : 1;
    }

    private static Map<String, Object> micros(Latency p) {
        Map<String, Object> propagation = new LinkedHashMap<>();
        propagation.put("p50", p.p50());
        propagation.put("p99", p.p99());
        propagation.put("max", p.max());
        return propagation;
    }
}
