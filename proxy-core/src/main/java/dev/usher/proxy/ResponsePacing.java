package dev.usher.proxy;

import dev.usher.routing.ResponseRate;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * nginx's {@code limit_rate} / {@code limit_rate_after} for one response ({@link ResponseRate}, ingress-nginx's
 * {@code limit-rate}, {@code limit-rate-after}): the body goes to the client at most at the rate once its first
 * {@code afterBytes} went out, counted from the response head.
 *
 * <p>The credit at time {@code t} is {@code afterBytes + rate x (t - head)}; a body chunk goes on while the body sent
 * stays within it, the part beyond is held (a slice of what the origin read batch already brought, never more) and the
 * origin is not read again (the back-pressure path of a client that is not writable) until the held bytes went out.
 * One scheduled task at a time, due when the credit covers the next piece, resumes the relay; it is cancelled, and
 * what is held released, when the exchange ends however it ends ({@link #stop}).
 *
 * <p>A piece is a tenth of a second's worth of the rate, at least 1 KiB (ingress-nginx's unit), so a paced response
 * costs at most ten wake-ups a second, and fewer below 10 KiB/s. Runs on the exchange's event loop. The clock is the
 * proxy's ({@link ProxyServer.Builder#nanoClock}), so a test can hold time still.
 */
final class ResponsePacing implements Runnable {

    /** The longest a task sleeps before it looks at the clock again. */
    private static final long MAX_SLEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ResponseRelay relay;
    private final EventExecutor executor;
    private final LongSupplier clock;
    private final long rate;
    private final long after;
    private final long piece;
    private final ArrayDeque<HttpContent> held = new ArrayDeque<>(2);
    private long heldBytes;
    private long start;
    private long sent;
    private @Nullable ScheduledFuture<?> task;
    private boolean stopped;

    ResponsePacing(ResponseRelay relay, EventExecutor executor, LongSupplier clock, ResponseRate rate) {
        this.relay = relay;
        this.executor = executor;
        this.clock = clock;
        this.rate = rate.bytesPerSecond();
        this.after = rate.afterBytes();
        this.piece = Math.max(this.rate / 10, 1024);
    }

    /** The response head went to the client: the credit starts to grow. */
    void start() {
        start = clock.getAsLong();
    }

    /** Body bytes the credit allows now, beyond those sent. */
    private long allowance() {
        double credit = after + (double) (clock.getAsLong() - start) * rate / 1e9;
        return (long) Math.min(credit - sent, Integer.MAX_VALUE);
    }

    /** A body chunk from the origin: sent now as far as the credit allows, the rest held in order. */
    void offer(HttpContent content) {
        if (stopped) {
            content.release();
            return;
        }
        if (held.isEmpty()) {
            long allowed = allowance();
            int n = content.content().readableBytes();
            if (n <= allowed) {
                sent += n;
                relay.send(content);
                return;
            }
            sendPart(content, allowed);
        }
        held.add(content);
        heldBytes += content.content().readableBytes();
    }

    /** Sends the first {@code allowed} bytes of {@code content} (if any), which keeps the rest. */
    private void sendPart(HttpContent content, long allowed) {
        if (allowed > 0) {
            ByteBuf part = content.content().readRetainedSlice((int) allowed);
            sent += allowed;
            relay.send(new DefaultHttpContent(part));
        }
    }

    /** Whether the relay must wait before reading the origin again: bytes are held, or the credit is spent. */
    boolean mustWait() {
        return !held.isEmpty() || allowance() <= 0;
    }

    /** Whether the response's last part is held here: the origin's connection is no longer needed for it. */
    boolean holdsEnd() {
        return held.peekLast() instanceof LastHttpContent;
    }

    /**
     * Sends what the credit allows of the held parts, in order. The last one completes the exchange, which stops this
     * pacing: a part leaves the queue before it is sent, so nothing is released twice.
     */
    void drain() {
        long allowed = allowance();
        HttpContent next;
        while (!stopped && (next = held.peek()) != null) {
            int n = next.content().readableBytes();
            if (n > allowed) {
                sendPart(next, allowed);
                heldBytes -= Math.max(allowed, 0);
                return;
            }
            held.poll();
            heldBytes -= n;
            allowed -= n;
            sent += n;
            relay.send(next);
        }
    }

    /** Schedules the task for when the credit covers the next piece (held bytes first); one task at a time. */
    void pause() {
        if (stopped || task != null) {
            return;
        }
        long need = held.isEmpty() ? piece : Math.min(piece, heldBytes);
        long deficit = Math.max(1, need - allowance());
        long nanos = (long) Math.ceil(deficit * 1e9 / rate);
        task = executor.schedule(this, Math.min(nanos, MAX_SLEEP_NANOS), TimeUnit.NANOSECONDS);
    }

    /** The task: the relay sends what is due and reads the origin again, or pauses once more. */
    @Override
    public void run() {
        task = null;
        if (!stopped) {
            relay.paced();
        }
    }

    /** The exchange ended: no task runs any more and what is held is released. */
    void stop() {
        stopped = true;
        ScheduledFuture<?> t = task;
        task = null;
        if (t != null) {
            t.cancel(false);
        }
        HttpContent content;
        while ((content = held.poll()) != null) {
            content.release();
        }
        heldBytes = 0;
    }
}
