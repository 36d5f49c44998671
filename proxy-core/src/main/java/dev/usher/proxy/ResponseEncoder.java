package dev.usher.proxy;

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

    private boolean headRequest;

    void headRequest(boolean head) {
        this.headRequest = head;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return (headRequest && msg.status().code() >= 200) || super.isContentAlwaysEmpty(msg);
    }
}
