package dev.usher.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class ProcStatsTest {

    @Test
    void cpuSecondsOf_commandWithSpacesAndParentheses_addsUserAndSystemTicks() {
        String stat = "4438 (java (x) y) S 1 4438 4438 0 -1 4194560 20000 0 12 0 250 75 0 0 20 0 31 0 123 "
                + "3000000000 40000 18446744073709551615 1 1 0 0 0 0 0 2 16800975 0 0 0 17 1 0 0 0 0 0";

        assertThat(ProcStats.cpuSecondsOf(stat)).isEqualTo(3.25);
    }

    @Test
    void statusKib_readsTheNamedLine() {
        String status = "Name:\tjava\nVmPeak:\t 3000000 kB\nVmHWM:\t  153400 kB\nVmRSS:\t  150000 kB\n";

        assertThat(ProcStats.statusKib(status, "VmHWM")).isEqualTo(153_400);
        assertThat(ProcStats.statusKib(status, "VmRSS")).isEqualTo(150_000);
        assertThatThrownBy(() -> ProcStats.statusKib(status, "VmSwap"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("VmSwap");
    }

    @Test
    void liveProcess_hasCpuTimeAndAPeakAtLeastItsRss() {
        long pid = ProcessHandle.current().pid();

        assertThat(ProcStats.cpuSeconds(pid)).isPositive();
        assertThat(ProcStats.peakRssBytes(pid)).isPositive().isGreaterThanOrEqualTo(ProcStats.rssBytes(pid) / 2);
    }
}
