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
 */
final class HeadTimer extends ChannelInboundHandlerAdapter {

    private final long idleNanos;
    private final long headNanos;
    private ChannelHandlerContext ctx; // set by handlerAdded, an initializer
    private @Nullable ScheduledFuture<?> timer;
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
        cancel();
        awaiting = true;
        started = false;
        timer = ctx.executor().schedule(this::expire, idleNanos, TimeUnit.NANOSECONDS);
    }

    /** The head arrived: neither timeout applies any more. */
    void headReceived() {
        awaiting = false;
        cancel();
    }

    /** Whether the connection sits between requests with nothing received. */
    boolean idle() {
        return awaiting && !started;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (awaiting && !started && msg instanceof ByteBuf buf && buf.isReadable()) {
            started = true;
            cancel();
            timer = context.executor().schedule(this::expire, headNanos, TimeUnit.NANOSECONDS);
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

    private void expire() {
        if (awaiting) {
            ctx.close();
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
