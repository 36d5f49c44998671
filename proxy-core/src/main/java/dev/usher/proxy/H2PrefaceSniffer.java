package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * First on a plaintext connection: decides between HTTP/1 and HTTP/2 with prior knowledge (RFC 9113 §3.3) from the
 * first bytes. The 24-byte connection preface {@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n} makes it HTTP/2; the first
 * byte that differs from it makes it HTTP/1, as early as the first byte for every real method. Either way this
 * handler leaves and the bytes it held go on to the chosen pipeline. The {@code Upgrade: h2c} route is never offered.
 */
final class H2PrefaceSniffer extends ByteToMessageDecoder {

    /** RFC 9113 §3.4. */
    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ClientInitializer initializer;

    H2PrefaceSniffer(ClientInitializer initializer) {
        this.initializer = initializer;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
                ctx.pipeline().remove(this); // HTTP/1: what was read goes on to the request decoder
                return;
            }
        }
        if (n == PREFACE.length) {
            initializer.toHttp2(ctx.pipeline(), false);
            ctx.pipeline().remove(this); // the preface goes on to the HTTP/2 codec, which checks it again
        }
        // else a prefix of the preface: the decoder asks for more at read-complete (auto-read is off)
    }
}
