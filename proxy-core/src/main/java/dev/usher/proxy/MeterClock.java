package dev.usher.proxy;

import io.micrometer.core.instrument.Clock;

/**
 * The meters' clock: on a proxy event loop's thread while it handles a batch of I/O events, the wall clock read once for
 * the batch ({@link BatchClockGroup}); elsewhere the system's.
 *
 * <p>Each timer record reads the wall clock twice, to rotate its time-windowed maximum and its histogram's windows
 * (minutes long); Usher records two timers per request. Monotonic time, which timers use only when they time something
 * themselves ({@code Timer.start}), is the system's.
 */
public final class MeterClock implements Clock {

    /** The one instance; it holds no state of its own. */
    public static final MeterClock INSTANCE = new MeterClock();

    private MeterClock() {}

    @Override
    public long wallTime() {
        BatchClockGroup.BatchTicker ticker = BatchClockGroup.current();
        return ticker != null ? ticker.wallMillis() : System.currentTimeMillis();
    }

    @Override
    public long monotonicTime() {
        return System.nanoTime();
    }
}
