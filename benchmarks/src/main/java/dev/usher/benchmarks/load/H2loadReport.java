package dev.usher.benchmarks.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * The figures of {@code benchmarks/h2load.sh}'s runs: per protocol and target the medians over rounds and their
 * ratios to the baseline (nginx) in the same protocol, whether the machine was too busy to trust them, and the
 * latency curves of every round of a target merged.
 */
final class H2loadReport {

    /** Medians over the rounds of one protocol and target; {@code succeeded} is the sum over them. */
    record Row(
            String protocol,
            String target,
            int rounds,
            double requestsPerSecond,
            double requestsPerCpuSecond,
            double p50Millis,
            double p99Millis,
            double p999Millis,
            double cpuSeconds,
            long succeeded) {

        Map<String, Object> toMap(Row base) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("protocol", protocol);
            map.put("target", target);
            map.put("rounds", rounds);
            map.put("requestsPerSecond", requestsPerSecond);
            map.put("requestsPerCpuSecond", requestsPerCpuSecond);
            map.put("p50Millis", p50Millis);
            map.put("p99Millis", p99Millis);
            map.put("p999Millis", p999Millis);
            map.put("cpuSeconds", cpuSeconds);
            map.put("succeededAllRounds", succeeded);
            Map<String, Object> ratios = new LinkedHashMap<>();
            ratios.put("requestsPerSecond", CompareTable.ratioOf(requestsPerSecond, base.requestsPerSecond()));
            ratios.put("requestsPerCpuSecond", CompareTable.ratioOf(requestsPerCpuSecond, base.requestsPerCpuSecond()));
            ratios.put("p99Millis", CompareTable.ratioOf(p99Millis, base.p99Millis()));
            map.put("ratiosToBaseline", ratios);
            return map;
        }
    }

    /**
     * What other processes used per run, in cores: the median (the lower middle one for an even count), the
     * highest, and how many runs were above {@link MachineLoad#BUSY_CORES}; a median above it makes the comparison
     * worthless.
     */
    record Machine(double medianCores, double maxCores, long busyRuns, int runs, int cores) {

        boolean busy() {
            return medianCores > MachineLoad.BUSY_CORES;
        }

        String line() {
            if (runs == 0) {
                return "other processes: not measured";
            }
            String figures = String.format(
                    Locale.ROOT,
                    "other processes used %.2f cores per run (median), %.2f at most",
                    medianCores,
                    maxCores);
            return busy()
                    ? String.format(
                            Locale.ROOT,
                            "WARNING: the machine was busy: %s, of %d; %d of %d runs above %s cores: these figures are "
                                    + "not worth comparing, run again on a quiet machine",
                            figures,
                            cores,
                            busyRuns,
                            runs,
                            MachineLoad.BUSY_CORES)
                    : figures;
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("otherCoresMedian", runs == 0 ? Double.NaN : medianCores);
            map.put("otherCoresMax", runs == 0 ? Double.NaN : maxCores);
            map.put("runsAboveBusyCores", busyRuns);
            map.put("busyCores", MachineLoad.BUSY_CORES);
            map.put("warning", busy());
            return map;
        }
    }

    private H2loadReport() {}

    /** Groups the runs by protocol and target, in first-seen order. */
    static List<Row> rows(List<H2loadRun> runs) {
        List<Row> rows = new ArrayList<>();
        for (List<H2loadRun> group : groups(runs).values()) {
            H2loadRun first = group.get(0);
            rows.add(new Row(
                    first.protocol(),
                    first.target(),
                    group.size(),
                    median(group, H2loadRun::requestsPerSecond),
                    median(group, H2loadRun::requestsPerCpuSecond),
                    median(group, r -> r.millisAt(50)),
                    median(group, r -> r.millisAt(99)),
                    median(group, r -> r.millisAt(99.9)),
                    median(group, H2loadRun::cpuSeconds),
                    group.stream().mapToLong(H2loadRun::succeeded).sum()));
        }
        return rows;
    }

    private static Map<String, List<H2loadRun>> groups(List<H2loadRun> runs) {
        Map<String, List<H2loadRun>> groups = new LinkedHashMap<>();
        for (H2loadRun run : runs) {
            groups.computeIfAbsent(run.protocol() + "|" + run.target(), key -> new ArrayList<>())
                    .add(run);
        }
        return groups;
    }

    private static double median(List<H2loadRun> group, ToDoubleFunction<H2loadRun> figure) {
        return CompareTable.median(group.stream().mapToDouble(figure).toArray());
    }

    /** The baseline's row in the same protocol; a row of unknowns when the baseline did not run it. */
    static Row base(List<Row> rows, Row row, String baseline) {
        return rows.stream()
                .filter(r -> r.protocol().equals(row.protocol()) && r.target().equals(baseline))
                .findFirst()
                .orElse(new Row(
                        row.protocol(),
                        baseline,
                        0,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        0));
    }

    static Machine machine(List<H2loadRun> runs, int cores) {
        List<Double> sorted = runs.stream().map(H2loadRun::otherCores).sorted().toList();
        if (sorted.isEmpty()) {
            return new Machine(Double.NaN, Double.NaN, 0, 0, cores);
        }
        long busy = sorted.stream().filter(c -> c > MachineLoad.BUSY_CORES).count();
        return new Machine(
                sorted.get((sorted.size() - 1) / 2), sorted.get(sorted.size() - 1), busy, sorted.size(), cores);
    }

    /** The medians as a Markdown table, ratios to {@code baseline} in the same protocol. */
    static String markdown(List<Row> rows, String baseline) {
        Objects.requireNonNull(baseline, "baseline");
        String x = "x" + baseline;
        StringBuilder table = new StringBuilder("| protocol | target | rounds | req/s | " + x + " | req/CPU-s | " + x
                + " | p50 ms | p99 ms | " + x + " | p99.9 ms | CPU s | ok (all rounds) |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            Row base = base(rows, row, baseline);
            table.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |%n",
                    row.protocol(),
                    row.target(),
                    row.rounds(),
                    CompareTable.number(row.requestsPerSecond(), 0),
                    CompareTable.ratio(row.requestsPerSecond(), base.requestsPerSecond()),
                    CompareTable.number(row.requestsPerCpuSecond(), 0),
                    CompareTable.ratio(row.requestsPerCpuSecond(), base.requestsPerCpuSecond()),
                    CompareTable.number(row.p50Millis(), 2),
                    CompareTable.number(row.p99Millis(), 2),
                    CompareTable.ratio(row.p99Millis(), base.p99Millis()),
                    CompareTable.number(row.p999Millis(), 2),
                    CompareTable.number(row.cpuSeconds(), 2),
                    row.succeeded()));
        }
        return table.toString();
    }

    /** {@code results.json}'s content: the settings, every run, the medians with their ratios, the machine. */
    static Map<String, Object> json(Map<String, Object> settings, List<H2loadRun> runs, String baseline, int cores) {
        List<Row> rows = rows(runs);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("title", "h2load.sh: Usher and nginx over HTTP/2 and HTTPS with h2load");
        json.put("settings", settings);
        json.put("runs", runs.stream().map(H2loadRun::toMap).toList());
        json.put(
                "medians",
                rows.stream().map(r -> r.toMap(base(rows, r, baseline))).toList());
        json.put("machine", machine(runs, cores).toMap());
        return json;
    }

    /**
     * One latency curve per protocol and target, every round of it merged, labelled with the target, and with the
     * protocol too when {@code withProtocol}; those without logged requests are left out.
     */
    static List<PercentilePlot.Series> series(List<H2loadRun> runs, boolean withProtocol) {
        List<PercentilePlot.Series> series = new ArrayList<>();
        for (List<H2loadRun> group : groups(runs).values()) {
            H2loadRun first = group.get(0);
            Histogram merged = new Histogram(3);
            group.forEach(run -> merged.add(run.micros()));
            if (merged.getTotalCount() > 0) {
                series.add(new PercentilePlot.Series(
                        withProtocol ? first.target() + " " + first.protocol() : first.target(),
                        Latency.of(merged).curve()));
            }
        }
        return series;
    }
}
