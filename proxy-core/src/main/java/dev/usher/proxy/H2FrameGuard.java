package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;

/**
 * Just in front of the HTTP/2 codec, on the raw bytes, two flood guards the codec lacks:
 *
 * <ul>
 *   <li>CONTINUATION: caps the number of CONTINUATION frames one header block may span (CVE-2024-27316 and its kin).
 *       The codec already caps a block's bytes, but empty CONTINUATION frames add no bytes, so without this a client
 *       could keep a block open forever at nine bytes a frame. Past {@link #MAX_CONTINUATIONS} the codec is handed a
 *       connection error and answers it with {@code GOAWAY ENHANCE_YOUR_CALM}.</li>
 *   <li>PING and SETTINGS: each obliges the server to write an ACK. A client that sends them without reading the
 *       answers makes the answers queue in memory once the socket buffers are full. The codec's own limit
 *       ({@link H2Pipeline#MAX_QUEUED_CONTROL_FRAMES} unwritten control frames) bites late and slowly, and its
 *       graceful close then waits for a GOAWAY the client never reads. So: while the connection is not writable (the
 *       client has left more than the write buffer's high-water mark unread), at most {@link #MAX_UNREAD_CONTROL}
 *       PING or SETTINGS frames are taken; past that the codec is handed the same connection error (its GOAWAY goes
 *       out if the socket takes it) and the connection is closed at once, without waiting for the client to read.
 *       The count starts again whenever the connection is writable.</li>
 * </ul>
 *
 * <p>It only reads frame headers as they pass (the connection preface is skipped first) and forwards every buffer
 * untouched; it keeps nine bytes of state and no buffer.
 */
final class H2FrameGuard extends ChannelInboundHandlerAdapter {

    /** Header blocks of real clients fit in one or two frames; 32 leaves room for small frames and nothing else. */
    static final int MAX_CONTINUATIONS = 32;
    /**
     * PING or SETTINGS frames taken while the client leaves our writes unread. A client that reads sees the connection
     * writable again and its count reset, so only one that keeps sending and never reads gets this far.
     */
    static final int MAX_UNREAD_CONTROL = 1024;

    private static final int HEADER = 9;
    private static final int TYPE_HEADERS = 0x1;
    private static final int TYPE_PUSH_PROMISE = 0x5;
    private static final int TYPE_SETTINGS = 0x4;
    private static final int TYPE_PING = 0x6;
    private static final int TYPE_CONTINUATION = 0x9;
    private static final int END_HEADERS = 0x4;
    private static final int ACK = 0x1;

    private final byte[] header = new byte[HEADER];
    private int headerBytes;
    private long skip = H2PrefaceSniffer.PREFACE.length;
    private boolean inBlock;
    private int continuations;
    private int unreadControl;
    private boolean writable = true; // the connection's, sampled once per buffer read
    private boolean failed;
    private boolean flooded;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!failed && msg instanceof ByteBuf buf) {
            writable = ctx.channel().isWritable();
            if (writable) {
                unreadControl = 0;
            }
            scan(buf);
            if (failed) {
                ctx.fireChannelRead(msg);
                ctx.fireExceptionCaught(Http2Exception.connectionError(
                        Http2Error.ENHANCE_YOUR_CALM,
                        flooded
                                ? "more than %d PING or SETTINGS frames while the answers are not read"
                                : "header block spans more than %d CONTINUATION frames",
                        flooded ? MAX_UNREAD_CONTROL : MAX_CONTINUATIONS));
                if (flooded) {
                    ctx.close(); // from here, past the codec's graceful close: this client reads nothing
                }
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

    /** One frame header; false when the block it belongs to spans too many frames, or on a control frame flood. */
    private boolean frame(int type, int flags) {
        if ((type == TYPE_PING || type == TYPE_SETTINGS)
                && (flags & ACK) == 0
                && !writable
                && ++unreadControl > MAX_UNREAD_CONTROL) {
            flooded = true;
            return false;
        }
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
