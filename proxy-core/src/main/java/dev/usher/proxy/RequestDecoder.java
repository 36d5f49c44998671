package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.SocketAddress;
import java.util.List;

/**
 * Netty's request decoder with the request-smuggling shapes turned into decode failures.
 *
 * <p>RFC 9112 §6.3: a message with both {@code Transfer-Encoding} and {@code Content-Length} "ought to be handled
 * as an error"; Netty's default drops the {@code Content-Length} and carries on, which lets a front and a back end
 * disagree on where a request ends. We fail the message instead, and the handler answers 400 and closes. Duplicate
 * {@code Content-Length} values are refused by Netty itself ({@code allowDuplicateContentLengths=false}), as are
 * invalid lengths and chunk sizes; {@code Transfer-Encoding} whose last coding is not {@code chunked} is checked in
 * {@link Requests#check}.
 *
 * <p>One request at a time: once a request has been decoded to its end, the bytes after it (pipelined requests) stay
 * raw in the decoder's buffer until the handler asks for the next message ({@code read()}, which then decodes them
 * on a later turn of the loop, as a socket read would). Decoding a whole socket read eagerly would queue every
 * request in it, decoded, in the {@code FlowControlHandler} while the first one waits: 64 KiB of minimal pipelined
 * requests became about 2.6 MiB of heap per connection, so a few dozen connections that send such a batch behind a
 * slow request and stop reading could exhaust the heap. Held as bytes, they cost at most one socket read (64 KiB),
 * as in nginx, which parses one request at a time from its buffer. Bytes after an upgrade request stay raw too and
 * flow into the tunnel when the decoder leaves the pipeline.
 */
final class RequestDecoder extends HttpRequestDecoder implements ChannelOutboundHandler {

    /** A request was decoded to its end: what follows waits, undecoded, until {@link #read} asks for it. */
    private boolean held;

    RequestDecoder(ProxySettings settings) {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxInitialLineLength())
                .setMaxHeaderSize(settings.maxHeaderSize())
                .setMaxChunkSize(64 * 1024)
                .setAllowDuplicateContentLengths(false)
                .setValidateHeaders(true)
                .setTrailersFactory(TrailerHeaders.FACTORY)
                .setStrictLineParsing(true));
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new IllegalArgumentException("both Transfer-Encoding and Content-Length");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (held) {
            return; // the bytes stay in the buffer (the decode loop ends when nothing is consumed)
        }
        int size = out.size();
        super.decode(ctx, in, out);
        for (int i = size; i < out.size(); i++) {
            if (out.get(i) instanceof LastHttpContent) {
                held = true;
                return;
            }
        }
    }

    /**
     * The handler wants the next message: bytes already buffered are decoded first, on a later task (never inside a
     * decode loop that may be running now), and the socket is read only when they are no complete request.
     */
    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!held) {
            ctx.read();
            return;
        }
        held = false;
        if (!internalBuffer().isReadable()) {
            ctx.read();
            return;
        }
        ctx.executor().execute(() -> {
            if (ctx.isRemoved() || !ctx.channel().isActive()) {
                return;
            }
            try {
                // decodes what is buffered (and reads the socket from channelReadComplete if that was not enough)
                channelRead(ctx, Unpooled.EMPTY_BUFFER);
                channelReadComplete(ctx);
            } catch (Exception e) {
                ctx.fireExceptionCaught(e);
            }
        });
    }

    @Override
    public void bind(ChannelHandlerContext ctx, SocketAddress localAddress, ChannelPromise promise) {
        ctx.bind(localAddress, promise);
    }

    @Override
    public void connect(
            ChannelHandlerContext ctx,
            SocketAddress remoteAddress,
            SocketAddress localAddress,
            ChannelPromise promise) {
        ctx.connect(remoteAddress, localAddress, promise);
    }

    @Override
    public void disconnect(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.disconnect(promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.close(promise);
    }

    @Override
    public void deregister(ChannelHandlerContext ctx, ChannelPromise promise) {
        ctx.deregister(promise);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
    }
}
