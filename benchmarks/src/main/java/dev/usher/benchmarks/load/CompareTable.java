package dev.usher.benchmarks.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The comparison table: per (client, connections, target), the median over rounds of req/s, p50, p99, p99.9 and CPU per
 * 1,000 requests, the highest peak RSS, and each figure as a ratio to the baseline target's (nginx) in the same
 * client and connection count.
 */
final class CompareTable {

    /** One row: medians over the rounds of one (client, connections, target). */
    record Row(
            String client,
            int connections,
            String target,
            int rounds,
            double requestsPerSecond,
            double p50Millis,
            double p99Millis,
            double p999Millis,
            double cpuMillisPer1000,
            double rssMiB,
            long errors) {}

    private CompareTable() {}

    /** The median; the mean of the two middle values for an even count; NaN for none. NaN inputs are skipped. */
    static double median(double... values) {
        double[] known =
                Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (known.length == 0) {
            return Double.NaN;
        }
        int mid = known.length / 2;
        return known.length % 2 == 1 ? known[mid] : (known[mid - 1] + known[mid]) / 2;
    }

    /** Every round of each (client, connections, target), in first-seen order, the rounds in the order they ran. */
    private static Map<String, List<LoadResult>> groups(List<LoadResult> results) {
        Map<String, List<LoadResult>> groups = new LinkedHashMap<>();
        for (LoadResult result : results) {
            groups.computeIfAbsent(key(result.client(), result.connections(), result.target()), k -> new ArrayList<>())
                    .add(result);
        }
        return groups;
    }

    private static String key(String client, int connections, String target) {
        return client + "|" + connections + "|" + target;
    }

    /** Groups results (every round of every target) into rows, in first-seen order. */
    static List<Row> rows(List<LoadResult> results) {
        List<Row> rows = new ArrayList<>();
        for (List<LoadResult> group : groups(results).values()) {
            LoadResult first = group.get(0);
            rows.add(new Row(
                    first.client(),
                    first.connections(),
                    first.target(),
                    group.size(),
                    median(group.stream()
                            .mapToDouble(r -> r.measurement().requestsPerSecond())
                            .toArray()),
                    median(group.stream()
                            .mapToDouble(r -> r.measurement().latency().p50() / 1e3)
                            .toArray()),
                    median(group.stream()
                            .mapToDouble(r -> r.measurement().latency().p99() / 1e3)
                            .toArray()),
                    median(group.stream()
                            .mapToDouble(r -> r.measurement().latency().p999() / 1e3)
                            .toArray()),
                    median(group.stream()
                            .mapToDouble(r -> r.cpuSecondsPer1000() * 1e3)
                            .toArray()),
                    group.stream().mapToLong(LoadResult::peakRssBytes).max().orElse(-1) / 1048576.0,
                    group.stream()
                            .mapToLong(r -> r.measurement().errors().total())
                            .sum()));
        }
        return rows;
    }

    /** The table as Markdown, ratios against {@code baseline} in the same client and connection count. */
    static String markdown(List<Row> rows, String baseline) {
        Objects.requireNonNull(baseline, "baseline");
        StringBuilder table = new StringBuilder("| client | conns | target | req/s | x" + baseline + " | p50 ms | x"
                + baseline + " | p99 ms | x" + baseline + " | p99.9 ms | x" + baseline + " | CPU ms/1k req | x"
                + baseline
                + " | peak RSS MiB | x" + baseline
                + " | errors |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            Row base = rows.stream()
                    .filter(r -> r.client().equals(row.client())
                            && r.connections() == row.connections()
                            && r.target().equals(baseline))
                    .findFirst()
                    .orElse(null);
            table.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |%n",
                    row.client(),
                    row.connections(),
                    row.target(),
                    number(row.requestsPerSecond(), 0),
                    ratio(row.requestsPerSecond(), base == null ? Double.NaN : base.requestsPerSecond()),
                    number(row.p50Millis(), 3),
                    ratio(row.p50Millis(), base == null ? Double.NaN : base.p50Millis()),
                    number(row.p99Millis(), 3),
                    ratio(row.p99Millis(), base == null ? Double.NaN : base.p99Millis()),
                    number(row.p999Millis(), 3),
                    ratio(row.p999Millis(), base == null ? Double.NaN : base.p999Millis()),
                    number(row.cpuMillisPer1000(), 1),
                    ratio(row.cpuMillisPer1000(), base == null ? Double.NaN : base.cpuMillisPer1000()),
                    row.rssMiB() < 0 ? "-" : number(row.rssMiB(), 1),
                    ratio(row.rssMiB(), base == null ? Double.NaN : base.rssMiB()),
                    row.errors()));
        }
        return table.toString();
    }

    /**
     * Requests per CPU-second against {@code baseline}, round by round: in each round, the baseline's CPU per request
     * over the target's, paired by round number (the rounds interleave the targets, so a round's runs lie minutes
     * apart at most), then the median of those ratios. A disturbance of the machine moves one round of the targets
     * that ran during it; the medians of the main table can then pair one target's quiet rounds with another's
     * disturbed ones, the per-round ratios show it.
     */
    static String perRound(List<LoadResult> results, String baseline) {
        Objects.requireNonNull(baseline, "baseline");
        Map<String, List<LoadResult>> groups = groups(results);
        StringBuilder table = new StringBuilder("Requests per CPU-second against " + baseline
                + ", round by round (" + baseline + "'s CPU per request over the target's, in the same round):\n\n"
                + "| client | conns | target | median | per round |\n|---|---:|---|---:|---|\n");
        for (List<LoadResult> group : groups.values()) {
            LoadResult first = group.get(0);
            if (first.target().equals(baseline)) {
                continue;
            }
            List<LoadResult> base = groups.get(key(first.client(), first.connections(), baseline));
            if (base == null) {
                continue;
            }
            int rounds = Math.min(group.size(), base.size());
            double[] ratios = new double[rounds];
            StringBuilder each = new StringBuilder();
            for (int i = 0; i < rounds; i++) {
                ratios[i] =
                        ratioOf(base.get(i).cpuSecondsPer1000(), group.get(i).cpuSecondsPer1000());
                each.append(i == 0 ? "" : " ").append(number(ratios[i], 2));
            }
            table.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %s | %s | %s |%n",
                    first.client(),
                    first.connections(),
                    first.target(),
                    number(median(ratios), 2),
                    each));
        }
        return table.toString();
    }

    static String ratio(double value, double base) {
        double ratio = ratioOf(value, base);
        return Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio);
    }

    /** {@code value / base}; NaN when either is unknown, the base is not positive or the value is negative. */
    static double ratioOf(double value, double base) {
        if (Double.isNaN(value) || Double.isNaN(base) || base <= 0 || value < 0) {
            return Double.NaN;
        }
        return value / base;
    }

    /** The value with {@code decimals} decimals; a dash when unknown. */
    static String number(double value, int decimals) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
