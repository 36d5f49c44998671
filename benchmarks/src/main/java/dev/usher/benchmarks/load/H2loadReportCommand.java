package dev.usher.benchmarks.load;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code usher-bench h2load-report}: the files of {@code benchmarks/h2load.sh}'s runs, written after its last round:
 * {@code table.md} (medians and ratios to nginx per protocol), {@code results.json} (settings, every run, medians,
 * ratios, the busy-machine verdict), {@code latency.svg} (every protocol and target) and one
 * {@code latency-<protocol>.svg} per protocol, from h2load's per-request logs with every round of a target merged.
 * Prints the busy-machine line.
 */
@Command(
        name = "h2load-report",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Write table.md, results.json and latency SVGs for benchmarks/h2load.sh from its runs.tsv and "
                + "h2load's per-request logs (the script calls this).")
final class H2loadReportCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "h2load.sh's results folder.")
    Path out;

    @Option(
            names = "--runs",
            paramLabel = "FILE",
            description = "The runs, one tab-separated line each: " + H2loadRun.COLUMNS + " (default: DIR/runs.tsv).")
    Path runsFile;

    @Option(
            names = "--baseline",
            paramLabel = "NAME",
            defaultValue = "nginx",
            description = "Target the ratios compare to (default: ${DEFAULT-VALUE}).")
    String baseline;

    @Option(names = "--protocols", paramLabel = "LIST", split = "[ ,]+", description = "PROTOCOLS as asked.")
    List<String> protocols = new ArrayList<>();

    @Option(names = "--targets", paramLabel = "LIST", split = "[ ,]+", description = "TARGETS as asked.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--clients", paramLabel = "N", defaultValue = "0", description = "h2load -c.")
    int clients;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "0", description = "h2load -m.")
    int streams;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "h2load -t.")
    int threads;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0", description = "Counted per run.")
    int duration;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "0", description = "h2load --warm-up-time.")
    int warmup;

    @Option(names = "--jvm-warmup", paramLabel = "SECONDS", defaultValue = "0", description = "Per protocol.")
    int jvmWarmup;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "0", description = "Rounds asked.")
    int rounds;

    @Option(names = "--usher-java-opts", paramLabel = "FLAGS", defaultValue = "", description = "Usher's JVM flags.")
    String usherJavaOpts;

    @Option(names = "--usher-event-loops", paramLabel = "N", defaultValue = "0", description = "--event-loops.")
    int usherEventLoops;

    @Option(names = "--jvm", paramLabel = "TEXT", defaultValue = "", description = "java -version's first line.")
    String jvm;

    @Option(names = "--nginx", paramLabel = "TEXT", defaultValue = "", description = "nginx's version.")
    String nginx;

    @Option(names = "--h2load", paramLabel = "TEXT", defaultValue = "", description = "h2load's version.")
    String h2load;

    @Option(names = "--cores", paramLabel = "N", description = "The machine's cores (default: this JVM's).")
    int cores = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws Exception {
        List<H2loadRun> runs = new ArrayList<>();
        for (String line : Files.readAllLines(runsFile == null ? out.resolve("runs.tsv") : runsFile)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                runs.add(H2loadRun.parse(line, out));
            }
        }
        H2loadReport.Machine machine = H2loadReport.machine(runs, cores);
        String table = String.join("\n", header()) + "\n\n" + H2loadReport.markdown(H2loadReport.rows(runs), baseline)
                + "\n" + machine.line() + "\n";
        Files.writeString(out.resolve("table.md"), table, StandardCharsets.UTF_8);
        Files.writeString(
                out.resolve("results.json"),
                Json.write(H2loadReport.json(settings(), runs, baseline, cores)),
                StandardCharsets.UTF_8);
        List<String> svgs = new ArrayList<>(List.of("latency.svg"));
        Files.writeString(
                out.resolve("latency.svg"),
                PercentilePlot.svg("h2load: latency by percentile, all rounds merged", H2loadReport.series(runs, true)),
                StandardCharsets.UTF_8);
        Set<String> ran = new LinkedHashSet<>();
        runs.forEach(run -> ran.add(run.protocol()));
        for (String protocol : ran) {
            String name = "latency-" + protocol + ".svg";
            List<H2loadRun> ofProtocol =
                    runs.stream().filter(r -> r.protocol().equals(protocol)).toList();
            Files.writeString(
                    out.resolve(name),
                    PercentilePlot.svg(
                            "h2load " + protocol + ": latency by percentile, all rounds merged",
                            H2loadReport.series(ofProtocol, false)),
                    StandardCharsets.UTF_8);
            svgs.add(name);
        }
        System.out.println(machine.line());
        System.out.println("results: " + out.resolve("table.md") + ", results.json, " + String.join(", ", svgs));
        return 0;
    }

    private List<String> header() {
        return List.of(
                String.format(
                        "h2load.sh: %s over %s; h2load -c %d -m %d -t %d, %d s + %d s warm-up per run; rounds: %d "
                                + "(medians shown); JVM warm-up %d s per protocol",
                        String.join(", ", targets),
                        String.join(" ", protocols),
                        clients,
                        streams,
                        threads,
                        duration,
                        warmup,
                        rounds,
                        jvmWarmup),
                String.format(
                        "usher: %s, %s, --event-loops %d; nginx %s, 1 process; %s; %d cores",
                        jvm, usherJavaOpts, usherEventLoops, nginx, h2load, cores),
                "req/CPU-s: requests per CPU-second of the proxy process over warm-up and measurement; latency "
                        + "from h2load's per-request log (HdrHistogram, 3 significant digits); x" + baseline
                        + ": ratio to " + baseline
                        + " in the same protocol; ok: h2load's succeeded requests");
    }

    private Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("protocols", protocols);
        settings.put("targets", targets);
        settings.put("baseline", baseline);
        settings.put("clients", clients);
        settings.put("streams", streams);
        settings.put("threads", threads);
        settings.put("durationSeconds", duration);
        settings.put("warmupSeconds", warmup);
        settings.put("jvmWarmupSeconds", jvmWarmup);
        settings.put("rounds", rounds);
        settings.put("usherJavaOpts", usherJavaOpts);
        settings.put("usherEventLoops", usherEventLoops);
        settings.put("jvm", jvm);
        settings.put("nginx", nginx);
        settings.put("h2load", h2load);
        settings.put("cores", cores);
        settings.put("latencyPlot", "latency.svg and latency-<protocol>.svg: every round of a target merged");
        return settings;
    }
}
