package dev.usher.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The last handler of an origin connection: relays what the origin sends to the {@link Exchange} it serves, and
 * watches the connection while it sits idle in its {@link OriginPool}.
 *
 * <p>Runs on the same event loop as the client connection that borrowed it, so no field needs synchronization.
 *
 * <p>Reuse after a clean exchange ({@link #finish()}) is deferred to the end of the current read batch (its
 * read-complete, or a task when the exchange ended outside a read): the
 * decoder may still hold, or the same batch still deliver, bytes that follow the response's end. Handing the connection
 * back at once would let the next request (a pipelined one is read synchronously when the exchange ends) borrow it
 * and take those bytes as its response. Until that task, and while idle in the pool, the decoder closes the connection
 * on any byte; the release discards it if undecoded bytes remain.
 */
final class OriginHandler extends ChannelInboundHandlerAdapter {

    private @Nullable OriginPool pool;
    private @Nullable Exchange exchange;
    private long idleSince = -1;
    private int exchanges;
    private boolean refused;
    private Channel channel; // set by handlerAdded, an initializer
    private @Nullable OriginResponseDecoder decoder;
    private final Runnable releaseTask = this::releaseToPool;
    /** Between a read and its read-complete: the read batch is not over yet. */
    private boolean reading;
    /** {@link #finish()} came inside a read batch: the connection goes back to its pool at the batch's end. */
    private boolean releaseAtReadComplete;

    /** The handler of an origin channel: the pipeline's last one, found without walking it (twice per request). */
    static OriginHandler of(Channel ch) {
        ChannelHandlerContext last = ch.pipeline().lastContext();
        if (last != null && last.handler() instanceof OriginHandler handler) {
            return handler;
        }
        return ch.pipeline().get(OriginHandler.class);
    }

    void pool(OriginPool owner) {
        this.pool = owner;
    }

    /** Whether this connection served an exchange before (a reused keep-alive connection may be stale). */
    boolean reused() {
        return exchanges > 1;
    }

    /**
     * Whether the origin refused this HTTP/2 stream unprocessed: {@code RST_STREAM REFUSED_STREAM}, or a GOAWAY whose
     * last stream id is below the stream's (RFC 9113 §8.7: such a request may be sent again, whatever its method).
     */
    boolean refused() {
        return refused;
    }

    /** Serves {@code owner}; {@code head}: its request is a HEAD, so the response has no body whatever it says. */
    void attach(Exchange owner, boolean head) {
        this.exchange = owner;
        exchanges++;
        if (decoder != null) { // null on an HTTP/2 stream: the stream frames its one response (HEAD too) itself
            decoder.expectNothing(false);
            decoder.headRequest(head);
        }
    }

    /** The exchange ended cleanly: the connection expects nothing and goes back to its pool after this read batch. */
    void finish() {
        exchange = null;
        if (decoder != null) {
            decoder.expectNothing(true);
            // Keep a read pending from here on, as the pool will: asked for now, inside the read batch that ended the
            // response, the channel keeps its EPOLLIN interest instead of dropping it at the batch's end and adding
            // it back when the pool asks (two epoll_ctl calls per exchange). A byte read meanwhile closes the
            // connection, exactly as it would in the pool.
            channel.read();
        }
        if (reading) {
            releaseAtReadComplete = true; // the usual case: the response's end was just read
        } else {
            channel.eventLoop().execute(releaseTask); // ended outside a read (a client that was slow to take it)
        }
    }

    private void releaseToPool() {
        OriginPool pool = Objects.requireNonNull(this.pool, "only a pooled connection finishes an exchange");
        if (decoder != null && decoder.buffered() || !channel.isActive()) {
            pool.discard(channel); // a partial message after the response's end: never reused
        } else {
            pool.release(channel);
        }
    }

    void detach() {
        this.exchange = null;
    }

    /** The connection went idle in its pool at {@code nanoTime}; the pool's sweep closes it once it is too old. */
    void enterPool(long nanoTime) {
        this.idleSince = nanoTime;
        // Keep one read pending while idle so that a close by the origin is noticed and the connection dropped.
        if (channel != null) {
            channel.read();
        }
    }

    void leavePool() {
        idleSince = -1;
    }

    /** When the connection went idle ({@link System#nanoTime()}), or -1 while it is in use. */
    long idleSince() {
        return idleSince;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        decoder = ctx.pipeline().get(OriginResponseDecoder.class);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        Exchange current = exchange;
        if (current != null) {
            current.originRead(msg);
        } else {
            // Bytes from an idle origin are a protocol error: nothing may be reused after them.
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        Exchange current = exchange;
        if (current != null) {
            current.originReadComplete();
        }
        if (releaseAtReadComplete) {
            releaseAtReadComplete = false;
            releaseToPool();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame reset && reset.errorCode() == Http2Error.REFUSED_STREAM.code()) {
            refused = true;
        } else if (evt instanceof Http2GoAwayFrame) {
            refused = true; // the multiplexer tells only the streams above the GOAWAY's last stream id
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange current = exchange;
        if (current != null) {
            current.originWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        leavePool();
        Exchange current = exchange;
        exchange = null;
        if (current != null) {
            current.originClosed(null);
        } else if (pool != null) {
            pool.removeIdle(ctx.channel());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Exchange current = exchange;
        exchange = null;
        if (current != null) {
            current.originClosed(cause);
        }
        ctx.close();
    }
}
