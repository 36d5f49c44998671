package dev.usher.proxy;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The one scheduled task that the exchanges of a client connection share: one after the other on an HTTP/1 keep-alive
 * connection, side by side on an HTTP/2 connection's streams. A request then costs no schedule and no cancel on the
 * event loop's task queue, only linking its {@link ExchangeTimers} into a list and out again.
 *
 * <p>Exchange timers hold the clock while any of their clocks is armed and let go when none is. Letting go leaves the
 * task where it is: a later exchange's deadlines are as late or later (same route, later start), so it usually finds
 * the task due earlier than it needs and schedules nothing; when the task runs it hands over to every holder, and each
 * handles what is due and asks for its next deadline, which sets the task for the earliest of them. A task that finds
 * no holder ends, and the next exchange schedules afresh: a busy connection schedules about once per timeout period
 * instead of once per request. A holder with a shorter timeout than the task's (a route's own) moves it earlier.
 *
 * <p>The holders form a list threaded through the timers themselves ({@link ExchangeTimers#clockPrev}, {@link
 * ExchangeTimers#clockNext}), so taking and letting go cost no allocation and no search. Closing the connection cancels
 * the task and lets every holder go ({@link #close}); timers that arm after that (an exchange still winding down)
 * schedule a task of their own, so a closed connection is not held until its last deadline. Confined to the
 * connection's event loop.
 */
final class ConnectionClock implements Runnable {

    private final EventExecutor executor;
    private @Nullable ScheduledFuture<?> task;
    /** When {@link #task} runs, on the executor's ticker; meaningful only while it is set. */
    private long taskAt;

    private @Nullable ExchangeTimers first;
    private int holders;
    private boolean closed;
    /** The holders when the task runs: a callback may end (and so unlink) any of them. */
    private final ArrayList<ExchangeTimers> due = new ArrayList<>();

    ConnectionClock(EventExecutor executor) {
        this.executor = executor;
    }

    /** Whether {@code timers} hold the clock now: they did already, or they joined the holders; false once closed. */
    boolean take(ExchangeTimers timers) {
        if (timers.clockHeld) {
            return true;
        }
        if (closed) {
            return false;
        }
        timers.clockHeld = true;
        timers.clockPrev = null;
        timers.clockNext = first;
        if (first != null) {
            first.clockPrev = timers;
        }
        first = timers;
        holders++;
        return true;
    }

    /** A holder needs to run by {@code at}: a task due earlier stays, and finds nothing due for it then. */
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

    /** {@code timers} have nothing armed any more: they leave the holders, the task stays for the others and the next. */
    void release(ExchangeTimers timers) {
        if (!timers.clockHeld) {
            return;
        }
        ExchangeTimers prev = timers.clockPrev;
        ExchangeTimers next = timers.clockNext;
        if (prev != null) {
            prev.clockNext = next;
        } else {
            first = next;
        }
        if (next != null) {
            next.clockPrev = prev;
        }
        timers.clockHeld = false;
        timers.clockPrev = null;
        timers.clockNext = null;
        holders--;
    }

    /** How many exchange timers hold the clock now. */
    int holders() {
        return holders;
    }

    /** The connection closed: every holder is let go, none joins from now on, and no task is left behind. */
    void close() {
        closed = true;
        while (first != null) {
            release(first);
        }
        ScheduledFuture<?> current = task;
        task = null;
        if (current != null) {
            current.cancel(false);
        }
    }

    @Override
    public void run() {
        task = null;
        if (first == null) {
            return;
        }
        for (ExchangeTimers t = first; t != null; t = t.clockNext) {
            due.add(t);
        }
        try {
            for (int i = 0; i < due.size(); i++) {
                ExchangeTimers t = due.get(i);
                if (t.clockHeld) { // not let go by an earlier holder's callback (which may close the connection)
                    t.clockFired();
                }
            }
        } finally {
            due.clear();
        }
    }
}
