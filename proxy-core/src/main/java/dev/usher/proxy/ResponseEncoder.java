package dev.usher.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * The client-side response encoder, told by the handler whether the response in progress answers a HEAD request.
 *
 * <p>Netty's {@code HttpServerCodec} learns this from a queue of decoded methods; Usher serves one request at a time
 * per connection, so the handler sets the flag before writing each response head (RFC 9110 §9.3.2: a response to HEAD
 * has no content even when it announces a length or chunking).
 */
final class ResponseEncoder extends HttpResponseEncoder {

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
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        try {
            super.write(ctx, msg, promise);
        } catch (Throwable t) {
            guard.encodeFailed(ctx, t); // the promise fails too, but nobody might look at it
            throw t;
        }
    }
}
