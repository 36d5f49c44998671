package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * The origin-side response decoder: strict framing (ambiguous lengths and field names with whitespace inside fail, and
 * become a 502), and told by the
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
                .setValidateHeaders(true)
                .setHeadersFactory(KnownFieldNames.headers())
                .setTrailersFactory(FlatHeaders.TRAILERS));
    }

    private boolean expectNothing;
    private boolean midMessage;

    void headRequest(boolean head) {
        this.headRequest = head;
    }

    /** While set, any inbound byte closes the connection. */
    void expectNothing(boolean value) {
        this.expectNothing = value;
    }

    /**
     * Whether bytes that are no complete message sit in the decoder: undecoded, or consumed into a head or body it has
     * not finished (the decoder keeps a partial head's lines out of its buffer).
     */
    boolean buffered() {
        return midMessage || actualReadableBytes() > 0;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        int readerIndex = in.readerIndex();
        int size = out.size();
        super.decode(ctx, in, out);
        if (out.size() > size) {
            midMessage = !(out.get(out.size() - 1) instanceof LastHttpContent);
        } else if (in.readerIndex() != readerIndex) {
            midMessage = true; // consumed without a message: part of one (or skipped bytes: not reusable either)
        }
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
        if (headRequest
                && msg instanceof HttpResponse response
                && response.status().code() >= 200) {
            return true;
        }
        return super.isContentAlwaysEmpty(msg);
    }

    /**
     * A field name ends at its colon. Netty's response parsing ends it at the first space or tab instead and skips to
     * the colon, so {@code X-Bad Name: v} became {@code X-Bad: v}: a name with whitespace inside is invalid (RFC 9110
     * §5.1), and nginx and HAProxy refuse such a response (502), so Usher does too. Whitespace between the name and
     * its colon alone is still removed, as RFC 9112 §5.1 tells a proxy to.
     */
    @Override
    protected AsciiString splitHeaderName(byte[] line, int start, int length) {
        int at = start + length; // the colon, or the whitespace that ended the name (the line has a colon after it)
        while (line[at] == ' ' || line[at] == '\t') {
            at++;
        }
        if (line[at] != ':') {
            throw new IllegalArgumentException("origin sent a header name with whitespace inside it");
        }
        AsciiString known = KnownFieldNames.intern(line, start, length); // a common name: the shared constant
        return known != null ? known : super.splitHeaderName(line, start, length);
    }

    /*
     * The status line's three words as shared strings when they are the usual ones ("HTTP/1.1", a three-digit code,
     * the code's standard reason), so a response costs no strings for them and Netty finds its status constant by
     * identity; anything else is copied, as Netty does. Netty's response decoder shares none of them.
     */

    private static final String HTTP_1_1 = "HTTP/1.1"; // the literal Netty's HttpVersion compares by identity first

    private static final String[] CODES = new String[1000];

    private static final String[] REASONS = new String[1000];

    static {
        for (int code = 100; code < CODES.length; code++) {
            CODES[code] = Integer.toString(code);
            REASONS[code] = HttpResponseStatus.valueOf(code).reasonPhrase();
        }
    }

    /** The status code of the line being split, from its second word to its third; 0 when it was not three digits. */
    private int lineCode;

    @Override
    protected String splitFirstWordInitialLine(byte[] line, int start, int length) {
        lineCode = 0;
        return sameBytes(HTTP_1_1, line, start, length)
                ? HTTP_1_1
                : super.splitFirstWordInitialLine(line, start, length);
    }

    @Override
    protected String splitSecondWordInitialLine(byte[] line, int start, int length) {
        if (length == 3
                && isDigit(line[start])
                && line[start] != '0'
                && isDigit(line[start + 1])
                && isDigit(line[start + 2])) {
            lineCode = (line[start] - '0') * 100 + (line[start + 1] - '0') * 10 + (line[start + 2] - '0');
            return CODES[lineCode];
        }
        return super.splitSecondWordInitialLine(line, start, length);
    }

    @Override
    protected String splitThirdWordInitialLine(byte[] line, int start, int length) {
        if (lineCode != 0) {
            String reason = REASONS[lineCode];
            if (sameBytes(reason, line, start, length)) {
                return reason;
            }
        }
        return super.splitThirdWordInitialLine(line, start, length);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean sameBytes(String text, byte[] line, int start, int length) {
        if (text.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (text.charAt(i) != line[start + i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new IllegalArgumentException("origin sent both Transfer-Encoding and Content-Length");
    }
}
