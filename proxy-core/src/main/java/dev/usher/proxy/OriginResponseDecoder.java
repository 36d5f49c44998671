package dev.usher.proxy;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * The origin-side response decoder: strict framing (ambiguous lengths fail, and become a 502), and told by the
 * exchange whether it awaits the answer to a HEAD request, whose response has no content (RFC 9110 §9.3.2).
 */
final class OriginResponseDecoder extends HttpResponseDecoder {

    private boolean headRequest;

    OriginResponseDecoder() {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(8 * 1024)
                .setMaxHeaderSize(64 * 1024)
                .setMaxChunkSize(64 * 1024)
                .setAllowDuplicateContentLengths(false)
                .setValidateHeaders(true));
    }

    void headRequest(boolean head) {
        this.headRequest = head;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        if (headRequest && msg instanceof HttpResponse response && response.status().code() >= 200) {
            return true;
        }
        return super.isContentAlwaysEmpty(msg);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new IllegalArgumentException("origin sent both Transfer-Encoding and Content-Length");
    }
}
