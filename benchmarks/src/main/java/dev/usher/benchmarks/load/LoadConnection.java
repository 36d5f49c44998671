package dev.usher.benchmarks.load;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * One connection's request-response loop: send, wait for the whole response, record it, send the next (now, or at
 * the next intended time in the open-loop mode). A connection that closes or fails with a request in flight counts
 * as a reset, one that does not answer in time as a timeout; either way the slot reconnects. Runs on its event loop.
 */
final class LoadConnection extends SimpleChannelInboundHandler<HttpObject> {

    private final Slot slot;
    private final LoadRun run;
    private ChannelHandlerContext ctx;
    private boolean inFlight;
    private long startNanos;
    private int status;
    private boolean keepAlive;
    private ScheduledFuture<?> timeout;
    private ScheduledFuture<?> scheduledSend;

    LoadConnection(Slot slot) {
        this.slot = slot;
        this.run = slot.run();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        sendNext();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (msg.decoderResult().isFailure()) {
            fail(false);
            return;
        }
        if (msg instanceof HttpResponse response) {
            status = response.status().code();
            keepAlive = HttpUtil.isKeepAlive(response);
        }
        if (msg instanceof LastHttpContent && inFlight) {
            inFlight = false;
            timeout.cancel(false);
            run.response(System.nanoTime() - startNanos, status);
            if (keepAlive) {
                sendNext();
            } else {
                ctx.close(); // the slot reconnects in channelInactive
            }
        }
    }

    private void sendNext() {
        if (run.stopped() || !ctx.channel().isActive()) {
            return;
        }
        if (!run.settings().openLoop()) {
            send(System.nanoTime());
            return;
        }
        long intended = slot.takeIntended();
        long delay = intended - System.nanoTime();
        if (delay <= 0) {
            send(intended);
        } else {
            scheduledSend = ctx.executor().schedule(() -> send(intended), delay, TimeUnit.NANOSECONDS);
        }
    }

    private void send(long start) {
        scheduledSend = null;
        if (run.stopped() || !ctx.channel().isActive()) {
            return;
        }
        inFlight = true;
        startNanos = start;
        status = 0;
        keepAlive = true;
        timeout = ctx.executor()
                .schedule(this::timedOut, run.settings().requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        ctx.writeAndFlush(run.request(slot.nextRequest()));
    }

    private void timedOut() {
        if (inFlight) {
            inFlight = false;
            if (!run.stopped()) {
                run.counters().timeout();
            }
            ctx.close();
        }
    }

    /** Counts the in-flight request as failed (once) and closes; the slot reconnects. */
    private void fail(boolean reset) {
        if (inFlight && !run.stopped()) {
            if (reset) {
                run.counters().reset();
            } else {
                run.counters().other();
            }
        }
        inFlight = false;
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause instanceof IOException);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (scheduledSend != null) {
            scheduledSend.cancel(false);
        }
        if (inFlight && !run.stopped()) {
            run.counters().reset();
        }
        inFlight = false;
        slot.connect();
    }
}
