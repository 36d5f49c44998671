package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;

/**
 * Just in front of the HTTP/2 codec, on the raw bytes: caps the number of CONTINUATION frames one header block may
 * span (CVE-2024-27316 and its kin). The codec already caps a block's bytes, but empty CONTINUATION frames add no
 * bytes, so without this a client could keep a block open forever at nine bytes a frame. Past {@link
 * #MAX_CONTINUATIONS} the codec is handed a connection error and answers it with {@code GOAWAY ENHANCE_YOUR_CALM}.
 *
 * <p>It only reads frame headers as they pass (the connection preface is skipped first) and forwards every buffer
 * untouched; it keeps nine bytes of state and no buffer.
 */
final class H2FrameGuard extends ChannelInboundHandlerAdapter {

    /** Header blocks of real clients fit in one or two frames; 32 leaves room for small frames and nothing else. */
    static final int MAX_CONTINUATIONS = 32;
    private static final int HEADER = 9;
    private static final int TYPE_HEADERS = 0x1;
    private static final int TYPE_PUSH_PROMISE = 0x5;
    private static final int TYPE_CONTINUATION = 0x9;
    private static final int END_HEADERS = 0x4;

    private final byte[] header = new byte[HEADER];
    private int headerBytes;
    private long skip = H2PrefaceSniffer.PREFACE.length;
    private boolean inBlock;
    private int continuations;
    private boolean failed;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!failed && msg instanceof ByteBuf buf) {
            scan(buf);
            if (failed) {
                ctx.fireChannelRead(msg);
                ctx.fireExceptionCaught(Http2Exception.connectionError(Http2Error.ENHANCE_YOUR_CALM,
                        "header block spans more than %d CONTINUATION frames", MAX_CONTINUATIONS));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void scan(ByteBuf buf) {
        int at = buf.readerIndex();
        int end = buf.writerIndex();
        while (at < end) {
            if (skip > 0) {
                int n = (int) Math.min(skip, end - at);
                skip -= n;
                at += n;
                continue;
            }
            header[headerBytes++] = buf.getByte(at++);
            if (headerBytes == HEADER) {
                headerBytes = 0;
                skip = ((header[0] & 0xffL) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
                if (!frame(header[3] & 0xff, header[4] & 0xff)) {
                    failed = true;
                    return;
                }
            }
        }
    }

    /** One frame header; false when the block it belongs to spans too many frames. */
    private boolean frame(int type, int flags) {
        boolean endHeaders = (flags & END_HEADERS) != 0;
        if (type == TYPE_HEADERS || type == TYPE_PUSH_PROMISE) {
            inBlock = !endHeaders;
            continuations = 0;
        } else if (type == TYPE_CONTINUATION && inBlock) {
            inBlock = !endHeaders;
            return ++continuations <= MAX_CONTINUATIONS;
        }
        return true;
    }
}
