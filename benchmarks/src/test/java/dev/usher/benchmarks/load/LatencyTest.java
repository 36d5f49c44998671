package dev.usher.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

final class LatencyTest {

    private static Histogram oneToThousand() {
        Histogram histogram = new Histogram(3);
        for (int micros = 1; micros <= 1000; micros++) {
            histogram.recordValue(micros);
        }
        return histogram;
    }

    @Test
    void of_valuesOneToThousand_givesTheirPercentiles() {
        Latency latency = Latency.of(oneToThousand());

        assertThat(latency.count()).isEqualTo(1000);
        assertThat(latency.p50()).isEqualTo(500);
        assertThat(latency.p90()).isEqualTo(900);
        assertThat(latency.p99()).isEqualTo(990);
        assertThat(latency.p999()).isEqualTo(999);
        assertThat(latency.max()).isEqualTo(1000);
        assertThat(latency.mean()).isEqualTo(500.5);
    }

    @Test
    void of_emptyHistogram_isAllZerosWithoutCurve() {
        Latency latency = Latency.of(new Histogram(3));

        assertThat(latency.count()).isZero();
        assertThat(latency.p99()).isZero();
        assertThat(latency.curve()).isEmpty();
    }

    @Test
    void curve_thousandSamples_runsFromZeroToThreeNinesThenTheMaximum() {
        List<Latency.Point> curve = Latency.of(oneToThousand()).curve();

        // 1,000 samples support three decades: 0 % to 99.9 %, 20 points a decade, then the maximum at 100 %.
        assertThat(curve).hasSize(3 * Latency.POINTS_PER_DECADE + 2);
        assertThat(curve.get(0).percentile()).isZero();
        assertThat(curve.get(curve.size() - 2).percentile()).isCloseTo(99.9, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(curve.get(curve.size() - 1)).isEqualTo(new Latency.Point(100, 1000));
        for (int i = 1; i < curve.size(); i++) {
            assertThat(curve.get(i).percentile()).isGreaterThan(curve.get(i - 1).percentile());
            assertThat(curve.get(i).micros())
                    .isGreaterThanOrEqualTo(curve.get(i - 1).micros());
        }
    }

    @Test
    void measurement_requestsPerSecond_isResponsesOverSeconds() {
        Measurement measurement =
                new Measurement(5000, 2.5, Latency.of(new Histogram(3)), new Errors(java.util.Map.of(), 0, 0, 0, 0));

        assertThat(measurement.requestsPerSecond()).isEqualTo(2000);
    }

    @Test
    void loadResult_cpuPerThousand_isCpuSecondsPerThousandResponses() {
        Measurement measurement =
                new Measurement(20_000, 10, Latency.of(new Histogram(3)), new Errors(java.util.Map.of(), 0, 0, 0, 0));

        LoadResult result = new LoadResult("usher", "usher-bench", 50, 0, measurement, 3.0, 1 << 20);

        assertThat(result.cpuSecondsPer1000()).isEqualTo(0.15);
    }
}
