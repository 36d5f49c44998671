package dev.usher.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Takes the client address from the PROXY protocol header (v1 text or v2 binary, parsed by Netty's
 * {@link HAProxyMessageDecoder} just before this handler) that a load balancer sends first on every connection.
 *
 * <p>The rest of the pipeline must not see the connection before its address is known, so this handler holds back
 * {@code channelActive} (and read-complete events) until the header has arrived, records the source address on the
 * channel, removes itself and only then fires {@code channelActive}; bytes that followed the header (the request or
 * the TLS ClientHello) then flow on as if the connection had just opened. A connection whose first bytes are not a
 * valid header is closed by the decoder; one that sends no complete header within {@code requestHeaderTimeout} is
 * closed here. Neither is logged: anyone can open such connections, and the log must not be theirs to fill.
 *
 * <p>The {@code LOCAL} command (a load balancer's own health check) and the {@code UNKNOWN} or {@code UNIX} families
 * carry no client address: the TCP peer stands, as the specification says.
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {

    private static final AttributeKey<InetAddress> SOURCE = AttributeKey.valueOf(ProxyProtocolHandler.class, "source");

    private final long timeoutNanos;
    private @Nullable ScheduledFuture<?> timer;
    private boolean received;

    ProxyProtocolHandler(ProxySettings settings) {
        this.timeoutNanos = settings.requestHeaderTimeout().toNanos();
    }

    /** The peer of a client connection: the PROXY header's source address when there was one, else the TCP peer. */
    static InetAddress peer(Channel channel) {
        InetAddress source = channel.attr(SOURCE).get();
        return source != null ? source : ((InetSocketAddress) channel.remoteAddress()).getAddress();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timer = ctx.executor()
                .schedule(
                        () -> {
                            ctx.close();
                        },
                        timeoutNanos,
                        TimeUnit.NANOSECONDS);
        ctx.read(); // auto-read is off
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (received) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!(msg instanceof HAProxyMessage header)) {
            ReferenceCountUtil.release(msg); // cannot happen (the decoder emits only the header): never pass it on
            ctx.close();
            return;
        }
        received = true;
        cancel();
        try {
            InetAddress source = source(header);
            if (source != null) {
                ctx.channel().attr(SOURCE).set(source);
            }
        } finally {
            header.release();
        }
        ctx.fireChannelActive();
        ctx.pipeline().remove(this);
    }

    /** The proxied client's address, or {@code null} when the header names none. */
    private static @Nullable InetAddress source(HAProxyMessage header) {
        if (header.command() != HAProxyCommand.PROXY) {
            return null;
        }
        HAProxyProxiedProtocol.AddressFamily family = header.proxiedProtocol().addressFamily();
        if (family != HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                && family != HAProxyProxiedProtocol.AddressFamily.AF_IPv6) {
            return null;
        }
        // An IP literal the decoder has validated: parsed, never resolved.
        return NetUtil.createInetAddressFromIpAddressString(header.sourceAddress());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (received) {
            ctx.fireChannelReadComplete();
        } else {
            ctx.read(); // auto-read is off: a header split over several reads needs another one
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (received) {
            ctx.fireExceptionCaught(cause);
        } else {
            ctx.close(); // no valid header (the decoder already closed): the rest of the pipeline never started
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }
}
