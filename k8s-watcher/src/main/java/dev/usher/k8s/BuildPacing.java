package dev.usher.k8s;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * When the cluster thread may publish what is pending ({@link ClusterLoop}'s pacing; the empty-table guard's hold
 * aside). A change for the table (a rebuild or an endpoint update) is due as soon as the last build is
 * {@link #buildInterval} old: at once when the table was idle, so a lone edit or a pod leaving its Service applies in
 * milliseconds, and changes that come sooner are folded into the next build. The interval is {@value
 * #MIN_INTERVAL_MILLIS} ms, or ten times the CPU time the last build took if that is longer (at most {@value
 * #MAX_DELAY_MILLIS} ms), so however fast the changes come, builds take at most about a tenth of a core (builds of up
 * to 50 ms of CPU; longer ones come twice a second). CPU time, not wall time: on a busy node a build waits for a CPU,
 * and that wait must not slow the next edit down. A change of status only (often our own status write coming back) is
 * due once no further change came for {@value #QUIET_MILLIS} ms, at most {@value #MAX_DELAY_MILLIS} ms after the
 * first; deletes found by a relist wait for the same quiet, so the guard judges the relist whole. After a publish that
 * threw, nothing is due for {@value #RETRY_MILLIS} ms unless a new change comes.
 *
 * <p>Times are nanoseconds of the loop's clock, passed in; only the cluster thread calls it.
 */
final class BuildPacing {

    static final long QUIET_MILLIS = 50;
    static final long MIN_INTERVAL_MILLIS = 20;
    static final long MAX_DELAY_MILLIS = 500;
    static final long RETRY_MILLIS = 1000;

    /** The calling thread's CPU time in nanoseconds, or its wall clock where the JVM cannot tell. */
    static final LongSupplier THREAD_CPU_TIME = threadCpuTime();

    private static final long QUIET = TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
    private static final long MIN_INTERVAL = TimeUnit.MILLISECONDS.toNanos(MIN_INTERVAL_MILLIS);
    private static final long MAX_DELAY = TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS);

    private long firstPending;
    private long lastChange;
    /** When the last build (a rebuild or an endpoint update) or failed attempt began; long ago before the first. */
    private long lastBuild;
    /** The least time between two builds, in nanoseconds. */
    private long buildInterval = MIN_INTERVAL;
    /** A delete found by a relist is pending: wait for quiet, as for a burst. */
    private boolean relistPending;
    /** A publish threw: nothing is due before {@link #retryAt} unless a new change comes. */
    private boolean failed;

    private long retryAt;

    BuildPacing(long now) {
        lastBuild = now - MAX_DELAY;
    }

    private static LongSupplier threadCpuTime() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled()) {
            return threads::getCurrentThreadCpuTime;
        }
        return System::nanoTime;
    }

    /** A change that matters came; {@code first}: nothing was pending before it. */
    void changed(long now, boolean first, boolean relisted) {
        if (first) {
            firstPending = now;
        }
        relistPending |= relisted;
        failed = false;
        lastChange = now;
    }

    /** The informers synced: the first build is due at once. */
    void synced(long now) {
        firstPending = now - MAX_DELAY;
    }

    /** When the last change came. */
    long lastChange() {
        return lastChange;
    }

    /** A build began at {@code now}. */
    void buildStarted(long now) {
        lastBuild = now;
    }

    /** The build just ended cost {@code cpuNanos} of CPU: the next one waits ten times that, within the bounds. */
    void buildCost(long cpuNanos) {
        buildInterval = Math.max(MIN_INTERVAL, Math.min(MAX_DELAY, 10 * cpuNanos));
    }

    /** What was pending is published. */
    void published() {
        relistPending = false;
    }

    /** The attempt at {@code now} threw. */
    void failed(long now) {
        failed = true;
        lastBuild = now;
        retryAt = now + TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS);
    }

    /** Whether the last attempt threw and no change came since. */
    boolean failed() {
        return failed;
    }

    /** When what is pending is due; {@code tableWork}: a rebuild or an endpoint update is among it. */
    long dueAt(boolean tableWork) {
        if (failed) {
            return retryAt;
        }
        long quiet = Math.min(lastChange + QUIET, firstPending + MAX_DELAY);
        if (!tableWork) {
            return quiet;
        }
        long paced = lastBuild + buildInterval;
        return relistPending && quiet - paced > 0 ? quiet : paced;
    }
}
