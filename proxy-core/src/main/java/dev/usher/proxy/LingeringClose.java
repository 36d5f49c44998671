package dev.usher.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection after its last response without losing that response.
 *
 * <p>Closing a socket that still has unread request bytes makes the kernel send a reset, and the reset can destroy the
 * response before the client reads it (RFC 9112 §9.6; nginx's {@code lingering_close}). So, on a plain TCP connection,
 * Usher first shuts down its output (the client sees the end of the response), then reads and discards whatever the
 * client still sends until it closes, goes quiet for {@link #QUIET_NANOS} or {@link #MAX_NANOS} have passed (nginx's
 * lingering_timeout and lingering_time). TLS connections are closed directly: their close_notify already ends the
 * stream cleanly.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {

    static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(2);
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final long start = System.nanoTime();
    private long lastRead = start;

    private LingeringClose() {}

    /** Once {@code lastWrite} is done, ends the connection as described above. */
    static void after(ChannelFuture lastWrite) {
        Channel ch = lastWrite.channel();
        lastWrite.addListener(f -> {
            if (!(ch instanceof DuplexChannel duplex)
                    || !ch.isActive()
                    || ch.pipeline().get(SslHandler.class) != null
                    || ch.pipeline().get(SniHandler.class) != null) {
                ch.close();
                return;
            }
            duplex.shutdownOutput().addListener(done -> {
                if (!done.isSuccess() || !ch.isActive()) {
                    ch.close();
                    return;
                }
                LingeringClose linger = new LingeringClose();
                ch.pipeline().addFirst(linger);
                linger.check(ch);
                ch.config().setAutoRead(true);
            });
        });
    }

    private void check(Channel ch) {
        long now = System.nanoTime();
        if (now - lastRead >= QUIET_NANOS || now - start >= MAX_NANOS) {
            ch.close();
        } else {
            ch.eventLoop().schedule(() -> check(ch), QUIET_NANOS - (now - lastRead), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastRead = System.nanoTime();
        ReferenceCountUtil.release(msg); // the rest of a request nobody will answer
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // swallowed: the handlers behind have nothing more to do
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ReferenceCountUtil.release(evt);
        ctx.close(); // e.g. the client's end of input
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
