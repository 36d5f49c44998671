package dev.usher.proxy;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The connection-level rules of an HTTP/2 client connection, last in its pipeline (behind the frame codec and the
 * multiplexer): the connection receive window, the idle timeout and the graceful drain. Confined to the connection's
 * event loop. It also keeps the timer task its streams' exchanges share ({@link ConnectionClock}).
 *
 * <ul>
 *   <li>Idle: with no stream open for {@link ProxySettings#clientIdleTimeout()}, the connection is closed, which the
 *       codec turns into a {@code GOAWAY} (the HTTP/2 form of closing an idle keep-alive connection).</li>
 *   <li>Drain: {@link #drain()} sends {@code GOAWAY} naming the last stream accepted (later ones are refused by the
 *       codec) and closes the connection once the open streams finished; the server's drain deadline closes what is
 *       left.</li>
 * </ul>
 */
final class H2Connection extends ChannelInboundHandlerAdapter {

    private final long idleNanos;
    private final int connectionWindow;
    private ChannelHandlerContext ctx;
    private ConnectionClock clock; // set by handlerAdded, before any stream
    private @Nullable ScheduledFuture<?> idleTimer;
    private int open;
    /** When the last stream ended ({@link System#nanoTime()}); the idle timeout counts from there. */
    private long idleSince;

    private final Runnable idleCheck = this::idleCheck;
    private final ChannelFutureListener onStreamClosed = f -> streamClosed();
    private boolean draining;

    H2Connection(ProxySettings settings, int connectionWindow) {
        this.idleNanos = settings.clientIdleTimeout().toNanos();
        this.connectionWindow = connectionWindow;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
        this.clock = new ConnectionClock(context.executor());
        int increment = connectionWindow - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
        if (increment > 0) {
            // RFC 9113 §6.9.2: the connection window starts at 64 KiB whatever SETTINGS say; only an update widens it.
            context.writeAndFlush(new DefaultHttp2WindowUpdateFrame(increment));
        }
        armIdle();
    }

    /** The timer task the streams' exchanges share; closed with the connection. */
    ConnectionClock clock() {
        return clock;
    }

    /** A stream's child channel was created; it counts until it closes. */
    void streamOpened(io.netty.channel.Channel child) {
        open++;
        child.closeFuture().addListener(onStreamClosed);
    }

    private void streamClosed() {
        if (--open == 0) {
            if (draining) {
                ctx.channel().close();
            } else {
                armIdle();
            }
        }
    }

    /** Graceful drain: GOAWAY now (naming the last stream accepted), close once the open streams finished. */
    void drain() {
        if (draining) {
            return;
        }
        draining = true;
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        if (open == 0) {
            ctx.channel().close();
        }
    }

    /**
     * No stream is open from now on: the connection closes after the idle timeout unless one opens meanwhile. One
     * timer at a time, never cancelled by a stream: when it fires it looks at what happened since, and waits again
     * for what is left of the timeout if the connection was busy (a busy connection drops to no open stream often).
     */
    private void armIdle() {
        idleSince = System.nanoTime();
        if (idleTimer == null && ctx.channel().isActive()) {
            idleTimer = ctx.executor().schedule(idleCheck, idleNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void idleCheck() {
        idleTimer = null;
        if (open > 0 || !ctx.channel().isActive()) {
            return; // the stream's end arms it again
        }
        long left = idleSince + idleNanos - System.nanoTime();
        if (left <= 0) {
            ctx.channel().close();
        } else {
            idleTimer = ctx.executor().schedule(idleCheck, left, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelIdle() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        ReferenceCountUtil.release(msg); // connection-level frames the multiplexer passes on (SETTINGS, PING, GOAWAY)
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object evt) {
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        cancelIdle();
        clock.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (!(cause instanceof Http2Exception)) {
            context.close(); // a reset or TLS failure
        }
        // a protocol error: the codec answers it itself, with the right GOAWAY code, and closes
    }
}
