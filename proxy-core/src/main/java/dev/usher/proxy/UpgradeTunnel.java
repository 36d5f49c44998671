package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * A two-way byte tunnel after a {@code 101 Switching Protocols} (WebSocket and other upgrades).
 *
 * <p>The 101 goes to the client, then the HTTP codecs leave both pipelines and one of these handlers on each side
 * copies bytes to the other, reading only while the other side is writable. The tunnel owns its two channels: it
 * never looks at the routing snapshot again, so route or endpoint changes do not cut it. It ends when either side
 * closes or when no byte moved either way for {@link ProxySettings#tunnelIdleTimeout()}.
 */
final class UpgradeTunnel extends ChannelInboundHandlerAdapter {

    private final Channel peer;

    private UpgradeTunnel(Channel peer) {
        this.peer = peer;
    }

    /** Sends the 101 to the client and turns both connections into a tunnel; the origin leaves its pool for good. */
    static void splice(
            ClientHandler client,
            ClientConnection conn,
            HttpResponse switching,
            Channel origin,
            OriginPool pool,
            ProxySettings settings) {
        Channel clientChannel = conn.ctx.channel();
        String protocol = switching.headers().get(HttpHeaderNames.UPGRADE);
        HeaderRules.removeHopByHop(switching.headers());
        switching.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        if (protocol != null) {
            switching.headers().set(HttpHeaderNames.UPGRADE, protocol);
        }
        if (!switching.headers().contains(HttpHeaderNames.SERVER)) {
            switching.headers().set(HttpHeaderNames.SERVER, ErrorResponses.SERVER);
        }
        conn.headRequest(false);
        conn.ctx.writeAndFlush(switching);
        client.upgraded();
        OriginHandler.of(origin).detach();
        pool.handOff();

        long idle = settings.tunnelIdleTimeout().toNanos();
        ChannelPipeline front = clientChannel.pipeline();
        front.addLast(new IdleStateHandler(0, 0, idle, TimeUnit.NANOSECONDS), new UpgradeTunnel(origin));
        front.remove(ClientHandler.class);
        front.remove(ReadGate.class);
        front.remove(ResponseEncoder.class);
        front.remove(HeadTimer.class);
        front.remove(RequestDecoder.NextRequest.class);
        front.remove(RequestDecoder.class); // last: bytes it already buffered flow into the tunnel

        ChannelPipeline back = origin.pipeline();
        back.addLast(new IdleStateHandler(0, 0, idle, TimeUnit.NANOSECONDS), new UpgradeTunnel(clientChannel));
        back.remove(OriginHandler.class);
        back.remove(HttpRequestEncoder.class);
        back.remove(OriginResponseDecoder.class);
        clientChannel.read();
        origin.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            peer.write(msg);
        } else {
            ReferenceCountUtil.release(msg); // e.g. the empty end-of-message the decoder emits after the 101
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
        if (peer.isWritable()) {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            peer.read(); // the peer paused because we could not take more; resume it
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
