package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The origin-side request encoder: writes the request target byte for byte as the client sent it.
 *
 * <p>Netty's decoder reads each byte of the request line as one ISO-8859-1 character, but its encoder writes the
 * target as UTF-8, so a raw {@code 0xE9} would reach the origin as {@code 0xC3 0xA9}: a different path than the one
 * routed and logged. Writing the characters back as ISO-8859-1 forwards bytes of 0x80 and above as received (nginx
 * does the same). A target holding characters above U+00FF can only come from configuration (a rewrite), and is written
 * as UTF-8 as before. Usher always sends an origin-form target (or {@code *}), so no absolute-form fix-up is needed.
 */
final class OriginRequestEncoder extends HttpRequestEncoder {

    private final AllocationGuard guard;

    OriginRequestEncoder(AllocationGuard guard) {
        this.guard = guard;
    }

    @Override
    protected void encodeInitialLine(ByteBuf buf, HttpRequest request) {
        ByteBufUtil.copy(request.method().asciiName(), buf);
        buf.writeByte(' ');
        String uri = request.uri();
        buf.writeCharSequence(uri, latin1(uri) ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        buf.writeByte(' ');
        buf.writeCharSequence(request.protocolVersion().text(), StandardCharsets.US_ASCII);
        buf.writeByte('\r').writeByte('\n');
    }

    private static boolean latin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
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
