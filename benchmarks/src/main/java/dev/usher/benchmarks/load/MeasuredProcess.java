package dev.usher.benchmarks.load;

/**
 * Samples one process's CPU time around the counted window of a run and reads its peak RSS at the end; passes every
 * progress call on. With no pid it measures nothing (NaN CPU, -1 RSS).
 */
final class MeasuredProcess implements Progress {

    private final long pid;
    private final Progress delegate;
    private double cpuAtStart = Double.NaN;
    private double cpuSeconds = Double.NaN;
    private long peakRss = -1;

    MeasuredProcess(long pid, Progress delegate) {
        this.pid = pid;
        this.delegate = delegate;
    }

    @Override
    public void tick(double elapsedSeconds, boolean counting, Latency interval, Errors errorsSoFar) {
        delegate.tick(elapsedSeconds, counting, interval, errorsSoFar);
    }

    @Override
    public void countingStarted() {
        if (pid > 0) {
            cpuAtStart = ProcStats.cpuSeconds(pid);
        }
        delegate.countingStarted();
    }

    @Override
    public void countingEnded() {
        if (pid > 0) {
            cpuSeconds = ProcStats.cpuSeconds(pid) - cpuAtStart;
            peakRss = ProcStats.peakRssBytes(pid);
        }
        delegate.countingEnded();
    }

    double cpuSeconds() {
        return cpuSeconds;
    }

    long peakRssBytes() {
        return peakRss;
    }

    /** Runs the load and returns it with this process's figures. */
    static LoadResult run(String target, long pid, LoadSettings settings, Progress progress)
            throws InterruptedException {
        MeasuredProcess measured = new MeasuredProcess(pid, progress);
        Measurement measurement = LoadGenerator.run(settings, measured);
        return new LoadResult(
                target,
                "usher-bench",
                settings.connections(),
                settings.rate(),
                measurement,
                measured.cpuSeconds(),
                measured.peakRssBytes());
    }
}
