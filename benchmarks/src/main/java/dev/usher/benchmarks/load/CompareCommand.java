package dev.usher.benchmarks.load;

import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code usher-bench compare}: the same client against several running proxies in interleaved rounds
 * (A B C A B C ...), medians per target, one table with ratios to the baseline. {@code benchmarks/compare.sh} starts
 * the proxies and calls this.
 */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Load several already running targets in interleaved rounds and print one table of medians "
                    + "with ratios to the baseline (see benchmarks/compare.sh, which starts Usher, nginx and HAProxy).",
            "Each target is NAME=URL or NAME=URL@PID; with a pid its CPU per 1,000 requests and peak RSS are read "
                    + "from /proc."
        })
final class CompareCommand implements Callable<Integer> {

    /** One target: a label, the URL to load, and the process to measure (0 for none). */
    record Target(String name, URI url, long pid) {
        static Target parse(String text) {
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("a target is NAME=URL[@PID], got " + text);
            }
            String rest = text.substring(eq + 1);
            int at = rest.lastIndexOf('@');
            long pid = at < 0 ? 0 : Long.parseLong(rest.substring(at + 1));
            return new Target(text.substring(0, eq), URI.create(at < 0 ? rest : rest.substring(0, at)), pid);
        }

        InetSocketAddress address() {
            return new InetSocketAddress(url.getHost(), url.getPort() < 0 ? 80 : url.getPort());
        }

        String path() {
            return url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        }
    }

    @Option(
            names = "--target",
            paramLabel = "NAME=URL[@PID]",
            required = true,
            description = "A target to load (repeat; they run in the given order each round).")
    List<String> targets;

    @Option(
            names = "--host",
            paramLabel = "HOST",
            defaultValue = "h0.bench.test",
            description = "Host header sent to every target (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(
            names = "--connection-counts",
            paramLabel = "N",
            split = ",",
            defaultValue = "50,200",
            description = "Connection counts to compare at (default: ${DEFAULT-VALUE}).")
    List<Integer> connectionCounts;

    @Option(
            names = "--rounds",
            paramLabel = "N",
            defaultValue = "3",
            description = "Interleaved rounds; the table shows medians (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--jvm-warmup",
            paramLabel = "DURATION",
            defaultValue = "20s",
            converter = DurationConverter.class,
            description = "Uncounted load on every target before the first round, so the JVM has compiled its "
                    + "hot paths (default: ${DEFAULT-VALUE}).")
    Duration jvmWarmup;

    @Option(
            names = "--baseline",
            paramLabel = "NAME",
            defaultValue = "nginx",
            description = "Target the ratios compare to (default: ${DEFAULT-VALUE}).")
    String baseline;

    @Option(
            names = "--wrk",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Also run wrk as a neutral client when it is installed (default: ${DEFAULT-VALUE}).")
    boolean wrk;

    @Option(
            names = "--also-measured",
            paramLabel = "PID",
            description = "A process that is part of the set-up (the origin): its CPU is not counted as the rest of "
                    + "the machine's (repeat).")
    List<Long> alsoMeasured = new ArrayList<>();

    @Option(names = "--note", paramLabel = "TEXT", description = "A line printed with the table (repeat).")
    List<String> notes = new ArrayList<>();

    @Mixin
    LoadOptions load = new LoadOptions();

    @Override
    public Integer call() throws Exception {
        List<Target> parsed = targets.stream().map(Target::parse).toList();
        boolean useWrk = wrk && Wrk.available();
        if (wrk && !useWrk) {
            System.out.println("wrk is not installed (apt-get install -y wrk): usher-bench is the only client");
        }
        Path out = load.outputDir("compare");
        int widest = connectionCounts.stream().mapToInt(Integer::intValue).max().orElse(50);
        for (Target target : parsed) {
            System.out.printf(
                    "warming %s for %d s at %d connections (not counted)%n",
                    target.name(), jvmWarmup.toSeconds(), widest);
            LoadGenerator.run(
                    new LoadSettings(
                            target.address(),
                            requests(target),
                            widest,
                            Duration.ZERO,
                            jvmWarmup.isZero() ? Duration.ofMillis(1) : jvmWarmup,
                            0,
                            load.bodySize,
                            load.timeout,
                            load.threads),
                    (elapsed, counting, interval, errors) -> {});
        }
        List<Long> measuredPids = new ArrayList<>(alsoMeasured);
        parsed.stream().filter(t -> t.pid() > 0).forEach(t -> measuredPids.add(t.pid()));
        MachineLoad machine = new MachineLoad(measuredPids);
        List<LoadResult> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (int connections : connectionCounts) {
                for (Target target : parsed) {
                    System.out.printf("round %d/%d, %d connections, %s%n", round, rounds, connections, target.name());
                    MachineLoad.Sample start = machine.sample();
                    LoadResult result = MeasuredProcess.run(
                            target.name(),
                            target.pid(),
                            load.settings(target.address(), requests(target), connections),
                            (elapsed, counting, interval, errors) -> {});
                    machine.recordSince(start);
                    Reports.print(System.out, result);
                    results.add(result);
                }
                if (useWrk) {
                    for (Target target : parsed) {
                        MachineLoad.Sample start = machine.sample();
                        LoadResult result = wrkRound(target, connections);
                        machine.recordSince(start);
                        Reports.print(System.out, result);
                        results.add(result);
                    }
                }
            }
        }
        return report(out, parsed, results, machine);
    }

    private List<RequestTarget> requests(Target target) {
        return load.sized(List.of(new RequestTarget(host, target.path())));
    }

    private LoadResult wrkRound(Target target, int connections) throws IOException, InterruptedException {
        double cpuBefore = target.pid() > 0 ? ProcStats.cpuSeconds(target.pid()) : Double.NaN;
        String url = target.url().toString() + (load.responseSize > 0 ? "?size=" + load.responseSize : "");
        Measurement measurement = Wrk.run(url, host, connections, (int) Math.max(1, load.duration.toSeconds()));
        double cpu = target.pid() > 0 ? ProcStats.cpuSeconds(target.pid()) - cpuBefore : Double.NaN;
        long rss = target.pid() > 0 ? ProcStats.peakRssBytes(target.pid()) : -1;
        return new LoadResult(target.name(), "wrk", connections, 0, measurement, cpu, rss);
    }

    private int report(Path out, List<Target> parsed, List<LoadResult> results, MachineLoad machine)
            throws IOException {
        List<String> header = new ArrayList<>();
        header.add("date: " + ZonedDateTime.now(ZoneOffset.UTC).withNano(0));
        header.add(String.format(
                "rounds: %d interleaved (medians shown); %s counted per run after %s of warm-up; "
                        + "JVM warm-up %s per target; usher-bench client: %d event loop, %s",
                rounds,
                seconds(load.duration),
                seconds(load.warmup),
                seconds(jvmWarmup),
                load.threads,
                Epoll.isAvailable() ? "epoll" : "nio"));
        for (Target target : parsed) {
            header.add(target.name() + ": " + target.url()
                    + (target.pid() > 0 ? " pid " + target.pid() + ": " + commandLine(target.pid()) : ""));
        }
        header.addAll(notes);
        header.add(machine.summary());
        String table = CompareTable.markdown(CompareTable.rows(results), baseline) + "\n"
                + CompareTable.perRound(results, baseline);
        System.out.println();
        header.forEach(System.out::println);
        System.out.println();
        System.out.print(table);
        Files.createDirectories(out);
        Files.writeString(out.resolve("table.md"), String.join("\n", header) + "\n\n" + table, StandardCharsets.UTF_8);
        Map<String, Object> settings = new LinkedHashMap<>(load.describe());
        settings.put("rounds", rounds);
        settings.put("connectionCounts", connectionCounts);
        settings.put("notes", header);
        settings.put("otherProcessesCoresPerRun", machine.otherCores());
        // The plot gets one line per target and connection count: its last round (the JSON keeps every round).
        Map<String, LoadResult> lastRounds = new LinkedHashMap<>();
        results.stream()
                .filter(r -> r.client().equals("usher-bench"))
                .forEach(r -> lastRounds.put(r.target() + "|" + r.connections(), r));
        Reports.write(
                out,
                "usher-bench compare (last round)",
                settings,
                new ArrayList<>(lastRounds.values()),
                Map.of("allRounds", results.stream().map(LoadResult::toMap).toList()));
        System.out.println("wrote " + out.resolve("table.md") + ", results.json and latency.svg");
        if (machine.summary().startsWith("WARNING")) {
            System.out.println(machine.summary());
        }
        return 0;
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /** The process's command line from {@code /proc/<pid>/cmdline} (arguments separated by NUL). */
    static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException e) {
            return "(command line unreadable: " + e.getMessage() + ")";
        }
    }
}
