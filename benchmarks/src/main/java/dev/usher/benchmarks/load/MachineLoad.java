package dev.usher.benchmarks.load;

import java.util.ArrayList;
import java.util.List;

/**
 * What the rest of the machine did while a comparison ran: the CPU used by processes other than the measured ones
 * (the targets, the origin, this client and the wrk it ran), from {@code /proc/stat} minus their own CPU. A ratio
 * between two proxies means little when something else took a core away from one of them in its round.
 */
final class MachineLoad {

    /** Other processes using more than this many cores during a run make its figures suspect. */
    static final double BUSY_CORES = 0.25;

    private final List<Long> measuredPids;
    private final long self = ProcessHandle.current().pid();
    private final List<Double> otherCores = new ArrayList<>();

    MachineLoad(List<Long> measuredPids) {
        this.measuredPids = List.copyOf(measuredPids);
    }

    /** A moment: wall time, the machine's busy CPU seconds, and the CPU seconds of the measured processes. */
    record Sample(long nanos, double busySeconds, double measuredSeconds) {}

    Sample sample() {
        double measured = ProcStats.cpuSecondsWithChildren(self);
        for (long pid : measuredPids) {
            measured += ProcStats.cpuSeconds(pid);
        }
        return new Sample(System.nanoTime(), ProcStats.machineBusySeconds(), measured);
    }

    /** Records the run between {@code start} and now. */
    void recordSince(Sample start) {
        otherCores.add(otherCores(start, sample()));
    }

    /** Cores the other processes used on average between two samples (0 when the clock did not move). */
    static double otherCores(Sample start, Sample end) {
        double seconds = (end.nanos() - start.nanos()) / 1e9;
        if (seconds <= 0) {
            return 0;
        }
        double other = (end.busySeconds() - start.busySeconds()) - (end.measuredSeconds() - start.measuredSeconds());
        return Math.max(0, other / seconds);
    }

    /** Each run's figure, in the order they ran. */
    List<Double> otherCores() {
        return List.copyOf(otherCores);
    }

    /** One line for the report: the median and the worst run, and a warning when the machine was too busy. */
    String summary() {
        return summary(otherCores, Runtime.getRuntime().availableProcessors());
    }

    static String summary(List<Double> otherCores, int cpus) {
        if (otherCores.isEmpty()) {
            return "other processes: not measured";
        }
        List<Double> sorted = otherCores.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);
        double max = sorted.get(sorted.size() - 1);
        long busyRuns = otherCores.stream().filter(c -> c > BUSY_CORES).count();
        String figures = String.format(
                "other processes used %.2f cores per run (median), %.2f at most, of %d", median, max, cpus);
        return busyRuns == 0
                ? figures
                : "WARNING: the machine was busy: " + figures + "; " + busyRuns + " of " + otherCores.size()
                        + " runs above " + BUSY_CORES + " cores: these figures are not worth comparing, run again "
                        + "on a quiet machine";
    }
}
