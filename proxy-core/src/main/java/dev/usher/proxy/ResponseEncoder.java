package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * The client-side response encoder, told by the handler whether the response in progress answers a HEAD request.
 *
 * <p>Netty's {@code HttpServerCodec} learns this from a queue of decoded methods; Usher serves one request at a time
 * per connection, so the handler sets the flag before writing each response head (RFC 9110 §9.3.2: a response to HEAD
 * has no content even when it announces a length or chunking).
 */
final class ResponseEncoder extends HttpResponseEncoder {

    /**
     * A whole response whose body is at most this long leaves as one buffer, allocated for the head and the body
     * together. Netty copies a body behind the head only up to 128 bytes (more only when its head buffer happens to
     * have room), and otherwise writes two buffers - a promise combiner, and a {@code writev} instead of a {@code
     * send}, per response; copying into Netty's head buffer afterwards would grow it, one more copy of the head.
     */
    static final int COPY_BODY_LIMIT = 2048;

    private static final int CRLF = ('\r' << 8) | '\n';

    private final AllocationGuard guard;
    private boolean headRequest;
    /** The next head's expected size: the last one's with a third more, as Netty pads its own estimate. */
    private int headEstimate = 256;
    /** A head went out whose last content has not: a whole response now is a caller's error, left to Netty. */
    private boolean midMessage;

    ResponseEncoder(AllocationGuard guard) {
        this.guard = guard;
    }

    void headRequest(boolean head) {
        this.headRequest = head;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return (headRequest && msg.status().code() >= 200) || super.isContentAlwaysEmpty(msg);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
        if (msg instanceof FullHttpResponse whole && oneBuffer(whole)) {
            encodeWhole(ctx, whole, out);
            return;
        }
        super.encode(ctx, msg, out);
        if (msg instanceof LastHttpContent) {
            midMessage = false;
        } else if (msg instanceof HttpResponse) {
            midMessage = true;
        }
    }

    /** Whether Netty would write the body as it is, with no chunk framing, and it is small enough to copy. */
    private boolean oneBuffer(FullHttpResponse whole) {
        return !midMessage
                && whole.content().readableBytes() <= COPY_BODY_LIMIT
                && !isContentAlwaysEmpty(whole)
                && !HttpUtil.isTransferEncodingChunked(whole);
    }

    /** What Netty's encoder writes for a whole, unchunked response, in one buffer sized for the head and the body. */
    private void encodeWhole(ChannelHandlerContext ctx, FullHttpResponse whole, List<Object> out) throws Exception {
        ByteBuf content = whole.content();
        int length = content.readableBytes();
        ByteBuf buf = ctx.alloc().buffer(headEstimate + length);
        try {
            encodeInitialLine(buf, whole);
            encodeHeaders(whole.headers(), buf);
            buf.writeShort(CRLF);
            int head = buf.readableBytes();
            headEstimate = head + head / 3;
            // Read from the body into the buffer, not the other way round: the decoder's body is a slice, and
            // writeBytes would wrap both in NIO buffers (two objects per response) where getBytes copies memory.
            buf.ensureWritable(length); // the head may have outgrown its estimate
            content.getBytes(content.readerIndex(), buf, buf.writerIndex(), length);
            buf.writerIndex(buf.writerIndex() + length);
            out.add(buf);
            buf = null;
        } finally {
            if (buf != null) {
                buf.release();
            }
            whole.release();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        try {
            super.write(ctx, msg, promise);
        } catch (Throwable t) {
            guard.encodeFailed(ctx, t); // the promise fails too, but nobody might look at it
            throw t;
        }
    }
}
