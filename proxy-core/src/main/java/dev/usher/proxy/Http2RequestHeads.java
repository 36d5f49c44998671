package dev.usher.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * A request head on its way to an HTTP/2 origin: {@code te: trailers} is sent, since Usher takes response trailers
 * from HTTP/2 origins and relays them (gRPC servers require it). The codec behind turns the rest into HEADERS: the
 * Host field becomes {@code :authority}, connection-specific fields are dropped (RFC 9113 §8.2.2). On the way back,
 * the codec's own {@code x-http2-*} fields (stream id, scheme, ...) are removed from heads and trailers: they are
 * Netty bookkeeping, not the origin's. Each read the exchange asks for is followed by a flush (the stream's
 * WINDOW_UPDATE).
 */
@ChannelHandler.Sharable
final class Http2RequestHeads extends ChannelDuplexHandler {

    static final Http2RequestHeads INSTANCE = new Http2RequestHeads();

    private Http2RequestHeads() {}

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpRequest request) {
            request.headers().set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
        ctx.write(msg, promise);
    }

    /**
     * The exchange asks for more of the response: the stream channel writes the WINDOW_UPDATE for what was read before
     * but flushes it only if the read finds nothing queued, so it is flushed here, as {@link H2StreamCodec#read} does
     * for clients' uploads (where a connection of waiting streams stalled without it). A no-op when nothing was
     * written.
     */
    @Override
    public void read(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpResponse full) { // a HEADERS frame that ended the stream (gRPC's trailers-only)
            strip(full.headers());
            strip(full.trailingHeaders());
            ctx.fireChannelRead(new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers()));
            ctx.fireChannelRead(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
            return;
        }
        if (msg instanceof HttpMessage message) {
            strip(message.headers());
        }
        if (msg instanceof LastHttpContent last) {
            strip(last.trailingHeaders());
        }
        ctx.fireChannelRead(msg);
    }

    private static void strip(HttpHeaders headers) {
        H2StreamCodec.removeConversionFields(headers);
    }
}
