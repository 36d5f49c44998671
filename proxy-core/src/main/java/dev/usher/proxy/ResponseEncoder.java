package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
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
     * A whole response whose body is at most this long leaves as one buffer: the body is copied behind the encoded
     * head. Netty copies it only when the head's buffer has room, and otherwise writes two buffers - a promise
     * combiner, and a {@code writev} instead of a {@code send}, per response.
     */
    static final int COPY_BODY_LIMIT = 2048;

    private final AllocationGuard guard;
    private boolean headRequest;

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
        super.encode(ctx, msg, out);
        if (msg instanceof FullHttpResponse
                && out.size() == 2
                && out.get(0) instanceof ByteBuf head
                && out.get(1) instanceof ByteBuf body
                && body.readableBytes() <= COPY_BODY_LIMIT) {
            head.writeBytes(body);
            body.release();
            out.remove(1);
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
