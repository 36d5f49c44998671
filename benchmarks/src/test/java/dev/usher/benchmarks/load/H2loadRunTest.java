package dev.usher.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class H2loadRunTest {

    @TempDir
    Path dir;

    @Test
    void parse_readsTheFiguresAndTheLogsThirdColumnAsMicroseconds() throws Exception {
        // h2load --log-file: start time (us since the epoch), status, request time (us), tab-separated
        Files.writeString(
                dir.resolve("usher-h2c-1.requests"),
                "1764856000000000\t200\t1000\n1764856000000100\t200\t2000\n1764856000000200\t200\t3000\n");

        H2loadRun run = H2loadRun.parse("usher\th2c\t1\t20000.5\t200000\t3.00\t12\t0.05\tusher-h2c-1.requests", dir);

        assertThat(run.target()).isEqualTo("usher");
        assertThat(run.protocol()).isEqualTo("h2c");
        assertThat(run.round()).isEqualTo(1);
        assertThat(run.requestsPerSecond()).isEqualTo(20000.5);
        assertThat(run.succeeded()).isEqualTo(200000);
        assertThat(run.otherCores()).isEqualTo(0.05);
        assertThat(run.micros().getTotalCount()).isEqualTo(3);
        assertThat(run.millisAt(50)).isEqualTo(2.0); // values under 2,048 us are exact in the histogram
        assertThat(run.requestsPerCpuSecond()).isEqualTo(20000.5 * 12 / 3);
        assertThat(run.toMap())
                .containsEntry("p50Millis", 2.0)
                .containsEntry("loggedRequests", 3L)
                .containsEntry("requestLog", "usher-h2c-1.requests");
    }

    @Test
    void parse_emptyFiguresAndAMissingLog_areUnknownNotZero() throws Exception {
        H2loadRun run = H2loadRun.parse("nginx\th2\t2\t\t\t0.00\t12\t0.00\tmissing.requests", dir);

        assertThat(run.requestsPerSecond()).isNaN();
        assertThat(run.succeeded()).isZero();
        assertThat(run.requestsPerCpuSecond()).isNaN(); // no CPU counted
        assertThat(run.micros().getTotalCount()).isZero();
        assertThat(run.millisAt(99)).isNaN();
    }

    @Test
    void parse_wrongColumnCount_namesTheColumns() {
        assertThatThrownBy(() -> H2loadRun.parse("usher h2c 1", dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(H2loadRun.COLUMNS);
    }
}
