package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Closes client connections that idle between requests or send a request head too slowly (slow-loris).
 *
 * <p>Sits before the HTTP decoder so it sees raw bytes. While {@link ClientHandler} awaits a request head, the idle
 * timeout runs; the first byte of a head swaps it for the header timeout, measured from that byte. Once the head is
 * decoded the handler disarms both; body and response times are the exchange's business.
 *
 * <p>The deadline is a timestamp, and the connection has at most one scheduled task, re-armed lazily (as Netty's
 * {@code IdleStateHandler} does): a request on a keep-alive connection moves the deadline without touching the event
 * loop's task queue. When the task runs it closes the connection if the deadline passed while a head was awaited,
 * schedules itself for the deadline if it moved later, and otherwise ends.
 */
final class HeadTimer extends ChannelInboundHandlerAdapter {

    private final long idleNanos;
    private final long headNanos;
    private ChannelHandlerContext ctx; // set by handlerAdded, an initializer
    private @Nullable ScheduledFuture<?> timer;
    /** When {@link #timer} runs, on the executor's ticker; meaningful only while it is set. */
    private long timerAt;
    /** When the connection is closed if the head has not arrived, while {@link #awaiting}. */
    private long deadline;

    private boolean awaiting;
    private boolean started;

    HeadTimer(ProxySettings settings) {
        this.idleNanos = settings.clientIdleTimeout().toNanos();
        this.headNanos = settings.requestHeaderTimeout().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    /** Starts waiting for the next request head. */
    void awaitHead() {
        awaiting = true;
        started = false;
        arm(idleNanos);
    }

    /** The head arrived: neither timeout applies any more (a pending task finds nothing to do and ends). */
    void headReceived() {
        awaiting = false;
    }

    /** Whether the connection sits between requests with nothing received. */
    boolean idle() {
        return awaiting && !started;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (awaiting && !started && msg instanceof ByteBuf buf && buf.isReadable()) {
            started = true;
            arm(headNanos);
        }
        context.fireChannelRead(msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        awaiting = false;
        cancel(); // the connection turned out to speak HTTP/2: its own idle rules apply
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        awaiting = false;
        cancel();
        context.fireChannelInactive();
    }

    private void arm(long nanos) {
        long now = ctx.executor().ticker().nanoTime();
        deadline = now + nanos;
        if (timer == null || deadline - timerAt < 0) {
            cancel();
            schedule(now);
        }
    }

    private void schedule(long now) {
        timerAt = deadline;
        timer = ctx.executor().schedule(this::expire, deadline - now, TimeUnit.NANOSECONDS);
    }

    private void expire() {
        timer = null;
        if (!awaiting) {
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        if (now - deadline >= 0) {
            ctx.close();
        } else {
            schedule(now);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
