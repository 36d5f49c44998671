package dev.usher.proxy;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The one scheduled task that the exchanges of an HTTP/1 keep-alive connection share, one exchange after the other, so
 * that a request costs no schedule and no cancel on the event loop's task queue.
 *
 * <p>An exchange's {@link ExchangeTimers} hold the clock while any of their clocks is armed and let go when none is.
 * Letting go leaves the task where it is: the next exchange's deadlines are as late or later (same route, later
 * start), so it usually finds the task due earlier than it needs and schedules nothing; when the task runs it hands
 * over to whichever timers hold the clock then, which handle what is due and set it for their next deadline. A task
 * that finds no holder ends, and the next exchange schedules afresh: a busy connection schedules about once per
 * timeout period instead of once per request.
 *
 * <p>At most one holder: timers that find the clock held (an exchange that overlaps the one before it, such as a
 * custom error page's) schedule their own task, as HTTP/2 streams' timers always do. Closing the connection cancels
 * the task ({@link #close}), so a closed connection is not held until its last deadline. Confined to the
 * connection's event loop.
 */
final class ConnectionClock implements Runnable {

    private final EventExecutor executor;
    private @Nullable ScheduledFuture<?> task;
    /** When {@link #task} runs, on the executor's ticker; meaningful only while it is set. */
    private long taskAt;

    private @Nullable ExchangeTimers holder;
    private boolean closed;

    ConnectionClock(EventExecutor executor) {
        this.executor = executor;
    }

    /** Whether {@code timers} hold the clock now: they did already, or it was free and is theirs from now on. */
    boolean take(ExchangeTimers timers) {
        if (closed) {
            return false;
        }
        if (holder == null) {
            holder = timers;
        }
        return holder == timers;
    }

    /** The holder needs to run by {@code at}: a task due earlier stays, and finds nothing due then. */
    void runBy(long at) {
        ScheduledFuture<?> current = task;
        if (current != null) {
            if (at - taskAt >= 0) {
                return;
            }
            current.cancel(false);
        }
        taskAt = at;
        task = executor.schedule(this, Math.max(0, at - executor.ticker().nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** {@code timers} have nothing armed any more: the clock is free, its task stays for the next holder. */
    void release(ExchangeTimers timers) {
        if (holder == timers) {
            holder = null;
        }
    }

    /** The connection closed: no holder from now on, and no task left behind. */
    void close() {
        closed = true;
        holder = null;
        ScheduledFuture<?> current = task;
        task = null;
        if (current != null) {
            current.cancel(false);
        }
    }

    @Override
    public void run() {
        task = null;
        ExchangeTimers current = holder;
        if (current != null) {
            current.clockFired();
        }
    }
}
