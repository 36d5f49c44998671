package dev.usher.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One multiplexed HTTP/2 connection to an origin, the last handler of its parent pipeline: it learns the origin's
 * {@code SETTINGS_MAX_CONCURRENT_STREAMS}, opens a stream channel per exchange, and stops opening them after a GOAWAY
 * (open streams finish; the connection closes when the last one did).
 *
 * <p>Confined to its event loop, like its {@link Http2OriginPool}. The connection is usable only after the origin's
 * first SETTINGS frame: until then its stream limit is unknown.
 */
final class Http2OriginConnection extends ChannelInboundHandlerAdapter {

    private final Http2OriginPool pool;
    private final ChannelInitializer<Http2StreamChannel> streamInitializer;
    private Channel parent;
    private Http2StreamChannelBootstrap streams;
    private long maxStreams = Long.MAX_VALUE;
    private int active;
    private boolean ready;
    private boolean goingAway;
    private int idleGeneration;

    Http2OriginConnection(Http2OriginPool pool, ChannelInitializer<Http2StreamChannel> streamInitializer) {
        this.pool = pool;
        this.streamInitializer = streamInitializer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        parent = ctx.channel();
        streams = new Http2StreamChannelBootstrap(parent)
                .option(ChannelOption.AUTO_READ, false) // the exchange reads; consumed bytes open the stream window
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, OriginPools.WATER_MARK)
                .handler(streamInitializer);
    }

    Channel parent() {
        return parent;
    }

    /** Whether a new stream may be opened here now. */
    boolean canOpen() {
        return ready && !goingAway && parent.isActive() && active < maxStreams;
    }

    boolean ready() {
        return ready;
    }

    /** The origin's SETTINGS_MAX_CONCURRENT_STREAMS ({@link Long#MAX_VALUE} when it sets none). */
    long maxStreams() {
        return maxStreams;
    }

    /** Streams open now. */
    int active() {
        return active;
    }

    /** Opens a stream; the caller checked {@link #canOpen()}. */
    Future<Http2StreamChannel> open() {
        active++;
        idleGeneration++;
        Future<Http2StreamChannel> opened = streams.open();
        opened.addListener(f -> {
            if (f.isSuccess()) {
                ((Http2StreamChannel) f.getNow()).closeFuture().addListener(c -> streamClosed());
            } else {
                streamClosed();
            }
        });
        return opened;
    }

    private void streamClosed() {
        active--;
        if (active == 0) {
            if (goingAway) {
                parent.close();
                return;
            }
            int generation = ++idleGeneration;
            parent.eventLoop()
                    .schedule(
                            () -> {
                                if (generation == idleGeneration && active == 0) {
                                    parent.close(); // idle for the pool's idle timeout
                                }
                            },
                            pool.idleTimeoutNanos(),
                            TimeUnit.NANOSECONDS);
        }
        pool.capacityChanged();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2SettingsFrame settings) {
                Long max = settings.settings().maxConcurrentStreams();
                if (max != null) {
                    maxStreams = max;
                }
                if (!ready) {
                    ready = true;
                    pool.ready(this);
                } else {
                    pool.capacityChanged();
                }
            } else if (msg instanceof Http2GoAwayFrame) {
                goingAway = true; // streams above its last stream id are closed by the codec, the rest finish
                if (active == 0) {
                    ctx.close();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a connection error: open streams fail (502), new ones go to another connection
    }
}
