package dev.usher.benchmarks.load;

/** Hears about a load run as it goes; every method is called from the thread that called the generator. */
public interface Progress {

    /** Called once a second (and at the end of the warm-up) with what happened since the previous call. */
    void tick(double elapsedSeconds, boolean counting, Latency interval, Errors errorsSoFar);

    /** Called right when the counted window opens (sample process CPU here). */
    default void countingStarted() {}

    /** Called right when the counted window closes. */
    default void countingEnded() {}

    /** Prints one line a second to {@code out}. */
    static Progress printingTo(java.io.PrintStream out, String label) {
        return new Progress() {
            @Override
            public void tick(double elapsedSeconds, boolean counting, Latency interval, Errors errorsSoFar) {
                out.printf(
                        "  %-10s %5.1fs %-7s %8d responses  p50 %7.2f ms  p99 %7.2f ms  errors: %s%n",
                        label,
                        elapsedSeconds,
                        counting ? "counted" : "warm-up",
                        interval.count(),
                        interval.p50() / 1e3,
                        interval.p99() / 1e3,
                        errorsSoFar.summary());
                out.flush();
            }
        };
    }
}
