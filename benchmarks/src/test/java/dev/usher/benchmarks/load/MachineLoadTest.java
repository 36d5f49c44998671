package dev.usher.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

final class MachineLoadTest {

    @Test
    void machineBusySeconds_addsUserNiceSystemIrqSoftirqSteal_notIdleOrIowait() {
        String stat = "cpu  1000 20 300 90000 400 5 6 7 0 0\ncpu0 500 10 150 45000 200 2 3 3 0 0\n";

        assertThat(ProcStats.machineBusySecondsOf(stat)).isEqualTo((1000 + 20 + 300 + 5 + 6 + 7) / 100.0);
        assertThatThrownBy(() -> ProcStats.machineBusySecondsOf("intr 1 2 3\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cpuSecondsWithChildren_addsTheWaitedForChildren() {
        String stat = "4438 (java) S 1 4438 4438 0 -1 4194560 20000 0 12 0 250 75 40 10 20 0 31 0 123 "
                + "3000000000 40000 18446744073709551615 1 1 0 0 0 0 0 2 16800975 0 0 0 17 1 0 0 0 0 0";

        assertThat(ProcStats.cpuSecondsOf(stat, false)).isEqualTo(3.25);
        assertThat(ProcStats.cpuSecondsOf(stat, true)).isEqualTo(3.75);
    }

    @Test
    void otherCores_isTheMachinesBusyTimeLessTheMeasuredProcesses_perSecondOfWallTime() {
        var start = new MachineLoad.Sample(0, 100.0, 40.0);
        var end = new MachineLoad.Sample(10_000_000_000L, 118.0, 53.0); // 18 s busy, 13 s of it measured, in 10 s

        assertThat(MachineLoad.otherCores(start, end)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(MachineLoad.otherCores(start, start)).isZero();
    }

    @Test
    void summary_warnsOnlyWhenARunWasBusy() {
        assertThat(MachineLoad.summary(List.of(), 2)).isEqualTo("other processes: not measured");
        assertThat(MachineLoad.summary(List.of(0.02, 0.05, 0.1), 2))
                .isEqualTo("other processes used 0.05 cores per run (median), 0.10 at most, of 2")
                .doesNotContain("WARNING");
        assertThat(MachineLoad.summary(List.of(0.02, 1.4, 0.1), 2))
                .startsWith("WARNING: the machine was busy: other processes used 0.10 cores per run (median), "
                        + "1.40 at most, of 2; 1 of 3 runs above 0.25 cores");
    }

    @Test
    void liveSample_readsProc() {
        MachineLoad live = new MachineLoad(List.of(ProcessHandle.current().pid()));
        live.recordSince(live.sample());
        assertThat(live.otherCores()).hasSize(1).allSatisfy(c -> assertThat(c).isNotNegative());
        assertThat(live.summary()).contains("other processes used", "cores per run (median)");
    }
}
