package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.List;
import org.jspecify.annotations.Nullable;

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
 * request in it, decoded, in the {@link ReadGate} while the first one waits: 64 KiB of minimal pipelined
 * requests became about 2.6 MiB of heap per connection, so a few dozen connections that send such a batch behind a
 * slow request and stop reading could exhaust the heap. Held as bytes, they cost at most one socket read (64 KiB),
 * as in nginx, which parses one request at a time from its buffer. Bytes after an upgrade request stay raw too and
 * flow into the tunnel when the decoder leaves the pipeline.
 */
final class RequestDecoder extends HttpRequestDecoder {

    /** A request was decoded to its end: what follows waits, undecoded, until {@link NextRequest#read} asks for it. */
    private boolean held;

    RequestDecoder(ProxySettings settings) {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxInitialLineLength())
                .setMaxHeaderSize(settings.maxHeaderSize())
                .setMaxChunkSize(64 * 1024)
                .setAllowDuplicateContentLengths(false)
                .setValidateHeaders(true)
                .setHeadersFactory(KnownFieldNames.headers())
                .setTrailersFactory(FlatHeaders.TRAILERS)
                .setStrictLineParsing(true));
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new IllegalArgumentException("both Transfer-Encoding and Content-Length");
    }

    /** A common name is the shared constant ({@link KnownFieldNames}); any other is copied, as Netty does. */
    @Override
    protected AsciiString splitHeaderName(byte[] line, int start, int length) {
        AsciiString known = KnownFieldNames.intern(line, start, length);
        return known != null ? known : super.splitHeaderName(line, start, length);
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
     * The outbound half, a handler of its own right behind the decoder: it takes only {@code read()}, so the writes and
     * flushes of every response pass it by (a decoder that implemented {@code ChannelOutboundHandler} itself was a hop
     * on each of them).
     */
    ChannelOutboundHandlerAdapter nextRequest() {
        return nextRequest;
    }

    private final NextRequest nextRequest = new NextRequest();

    private @Nullable ChannelHandlerContext decoderContext; // set by handlerAdded, an initializer

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        decoderContext = ctx;
        super.handlerAdded(ctx);
    }

    /**
     * The handler wants the next message: bytes already buffered are decoded first, on a later task (never inside a
     * decode loop that may be running now), and the socket is read only when they are no complete request.
     */
    final class NextRequest extends ChannelOutboundHandlerAdapter {
        @Override
        public void read(ChannelHandlerContext ctx) {
            ChannelHandlerContext decoder = decoderContext;
            if (!held || decoder == null) {
                ctx.read();
                return;
            }
            held = false;
            if (!internalBuffer().isReadable()) {
                ctx.read();
                return;
            }
            ctx.executor().execute(() -> {
                if (decoder.isRemoved() || !decoder.channel().isActive()) {
                    return;
                }
                try {
                    // decodes what is buffered (and reads the socket from channelReadComplete if that was not enough)
                    channelRead(decoder, Unpooled.EMPTY_BUFFER);
                    channelReadComplete(decoder);
                } catch (Exception e) {
                    decoder.fireExceptionCaught(e);
                }
            });
        }
    }
}
