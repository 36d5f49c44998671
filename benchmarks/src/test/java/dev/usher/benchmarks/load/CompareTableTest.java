package dev.usher.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

final class CompareTableTest {

    @Test
    void median_oddCount_isTheMiddleValue() {
        assertThat(CompareTable.median(3, 1, 2)).isEqualTo(2);
    }

    @Test
    void median_evenCount_isTheMeanOfTheMiddleTwo() {
        assertThat(CompareTable.median(4, 1, 3, 2)).isEqualTo(2.5);
    }

    @Test
    void median_skipsUnknownValues() {
        assertThat(CompareTable.median(Double.NaN, 5, 7, Double.NaN, 6)).isEqualTo(6);
        assertThat(CompareTable.median(Double.NaN)).isNaN();
    }

    @Test
    void ratio_unknownOrZeroBase_isADash() {
        assertThat(CompareTable.ratio(3, 2)).isEqualTo("1.50");
        assertThat(CompareTable.ratio(3, 0)).isEqualTo("-");
        assertThat(CompareTable.ratio(Double.NaN, 2)).isEqualTo("-");
    }

    private static LoadResult result(String target, double rps, long p99Micros, double cpuSeconds, long rss) {
        Histogram histogram = new Histogram(3);
        histogram.recordValue(p99Micros);
        long responses = Math.round(rps * 10);
        return new LoadResult(
                target,
                "usher-bench",
                50,
                0,
                new Measurement(responses, 10, Latency.of(histogram), new Errors(Map.of(), 0, 0, 0, 0)),
                cpuSeconds,
                rss);
    }

    @Test
    void rows_threeRoundsPerTarget_takeMediansAndTheHighestRss() {
        List<LoadResult> results = List.of(
                result("usher", 1000, 1000, 1.0, 100 << 20), result("nginx", 2000, 500, 1.0, 10 << 20),
                result("usher", 3000, 1800, 3.0, 120 << 20), result("nginx", 2000, 500, 1.0, 10 << 20),
                result("usher", 2000, 1400, 2.0, 110 << 20), result("nginx", 2000, 500, 1.0, 10 << 20));

        List<CompareTable.Row> rows = CompareTable.rows(results);

        assertThat(rows).extracting(CompareTable.Row::target).containsExactly("usher", "nginx");
        CompareTable.Row usher = rows.get(0);
        assertThat(usher.rounds()).isEqualTo(3);
        assertThat(usher.requestsPerSecond()).isEqualTo(2000);
        assertThat(usher.p99Millis()).isEqualTo(1.4); // values under 2,048 us are exact in the histogram
        assertThat(usher.p999Millis()).isEqualTo(1.4);
        assertThat(usher.cpuMillisPer1000()).isEqualTo(100.0); // 2 s per 20,000 responses
        assertThat(usher.rssMiB()).isEqualTo(120);
    }

    @Test
    void perRound_pairsEachRoundWithTheBaselinesSameRound() {
        // Round 2 disturbed the target only: the medians of CPU per request (2.0 against 1.0 ms) would give 0.50,
        // the rounds say 1.00, 0.33 and 0.50 (median 0.50), and which round was off.
        List<LoadResult> results = List.of(
                result("usher", 1000, 1000, 1.0, 100 << 20), result("nginx", 1000, 500, 1.0, 10 << 20),
                result("usher", 1000, 1000, 6.0, 100 << 20), result("nginx", 1000, 500, 2.0, 10 << 20),
                result("usher", 1000, 1000, 2.0, 100 << 20), result("nginx", 1000, 500, 1.0, 10 << 20));

        String table = CompareTable.perRound(results, "nginx");

        assertThat(table).contains("| usher-bench | 50 | usher | 0.50 | 1.00 0.33 0.50 |");
        assertThat(table).doesNotContain("| nginx |"); // the baseline against itself says nothing
    }

    @Test
    void perRound_withoutTheBaseline_listsNoRow() {
        List<LoadResult> results = List.of(result("usher", 1000, 1000, 1.0, 100 << 20));

        assertThat(CompareTable.perRound(results, "nginx")).doesNotContain("| usher |");
    }

    @Test
    void markdown_givesEachFigureAsARatioToTheBaseline() {
        List<LoadResult> results =
                List.of(result("usher", 1000, 2000, 2.0, 64 << 20), result("nginx", 2000, 1000, 1.0, 16 << 20));

        String table = CompareTable.markdown(CompareTable.rows(results), "nginx");

        assertThat(table)
                .contains("| usher-bench | 50 | usher | 1000 | 0.50 | 2.000 | 2.00 | 2.000 | 2.00 | 2.000 | 2.00 "
                        + "| 200.0 | 4.00 | 64.0 | 4.00 | 0 |");
        assertThat(table).contains("| usher-bench | 50 | nginx | 2000 | 1.00 |");
    }
}
