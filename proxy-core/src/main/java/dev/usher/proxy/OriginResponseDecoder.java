package dev.usher.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * The origin-side response decoder: strict framing (ambiguous lengths fail, and become a 502), and told by the
 * exchange whether it awaits the answer to a HEAD request, whose response has no content (RFC 9110 §9.3.2).
 *
 * <p>Between exchanges (from the end of a response until the next request is written) it expects nothing: any byte the
 * origin sends then closes the connection, since it could only be read later as the next client's response. Bytes it
 * still holds undecoded after a response ({@link #buffered()}) mean the same.
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

    private boolean expectNothing;

    void headRequest(boolean head) {
        this.headRequest = head;
    }

    /** While set, any inbound byte closes the connection. */
    void expectNothing(boolean value) {
        this.expectNothing = value;
    }

    /** Whether bytes that decoded into no message yet sit in the decoder. */
    boolean buffered() {
        return actualReadableBytes() > 0;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (expectNothing) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        super.channelRead(ctx, msg);
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
