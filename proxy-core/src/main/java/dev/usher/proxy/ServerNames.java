package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AsyncMapping;
import io.netty.util.AttributeKey;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Netty's {@link SniHandler} that also remembers, on the connection, the server name the handshake was made for: a
 * host that verifies client certificates serves only requests whose {@code Host} is that name
 * ({@link ClientCertificateGate}, 421 otherwise).
 *
 * <p>It also holds the ClientHello to TLS's own bounds while it waits for it: a handshake record announcing more than
 * 2^14 bytes (RFC 8446 §5.1, RFC 5246 §6.2.1: {@code record_overflow}) or a ClientHello announcing more than
 * {@link #MAX_CLIENT_HELLO} closes the connection when its header arrives. Netty checks the hello's length only once
 * the whole record that carries it is buffered, and takes records of up to 64 KiB, so a client that announced one and
 * sent it slowly held about 64 KiB until the handshake timeout instead of at most about 16 KiB; BoringSSL, OpenSSL and
 * the JDK refuse such a record at once.
 */
class ServerNames extends SniHandler {

    /**
     * The longest ClientHello handshake message read before deciding, in bytes (Netty's 0 would mean no limit, so a
     * client could make Usher buffer 16 MiB per connection). A browser's ClientHello, post-quantum key share included,
     * is about 2 KiB; ingress-nginx's passthrough proxy decides on the first 16 KiB too.
     */
    static final int MAX_CLIENT_HELLO = 16 * 1024;

    /** The SNI name of a TLS connection, lower case without a trailing dot; absent when the client sent none. */
    static final AttributeKey<String> SERVER_NAME = AttributeKey.valueOf(ServerNames.class, "serverName");

    /** The longest TLS record's fragment: 2^14 bytes (RFC 8446 §5.1); a ClientHello is never encrypted. */
    static final int MAX_RECORD = 16 * 1024;

    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int RECORD_HEADER = 5;

    /** Bytes of whole handshake records, counted from the buffer's start, whose headers were checked. */
    private int checked;

    /** Set at the first record that is not a handshake record: what follows is no longer the ClientHello's. */
    private boolean pastHello;

    ServerNames(AsyncMapping<String, SslContext> mapping, long handshakeTimeoutMillis) {
        super(mapping, MAX_CLIENT_HELLO, handshakeTimeoutMillis);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        String refusal = refusal(in);
        if (refusal != null) {
            // As Netty refuses a hello over its limit: nothing more is read, the handlers after learn why, closed.
            TooLongFrameException e = new TooLongFrameException(refusal);
            in.skipBytes(in.readableBytes());
            pastHello = true;
            ctx.fireUserEventTriggered(new SniCompletionEvent(e));
            ctx.flush();
            ctx.fireUserEventTriggered(new SslHandshakeCompletionEvent(e));
            ctx.close();
            throw e;
        }
        super.decode(ctx, in, out);
    }

    /**
     * Why the bytes buffered so far cannot be a ClientHello TLS allows, judged on record and handshake headers only,
     * or {@code null}. The buffer is not consumed before the hello is complete (Netty reads it by index), so each
     * record header is checked once, where the previous call stopped.
     */
    private @Nullable String refusal(ByteBuf in) {
        if (pastHello) {
            return null;
        }
        int start = in.readerIndex();
        int readable = in.readableBytes();
        if (checked == 0
                && readable >= RECORD_HEADER + 4
                && in.getUnsignedByte(start) == HANDSHAKE
                && in.getUnsignedShort(start + 3) >= 4
                && in.getUnsignedByte(start + RECORD_HEADER) == CLIENT_HELLO) {
            int hello = in.getUnsignedMedium(start + RECORD_HEADER + 1);
            if (hello > MAX_CLIENT_HELLO) {
                return "ClientHello of " + hello + " bytes announced (at most " + MAX_CLIENT_HELLO + ")";
            }
        }
        while (readable - checked >= RECORD_HEADER) {
            int at = start + checked;
            if (in.getUnsignedByte(at) != HANDSHAKE) {
                pastHello = true; // an alert, plain text, SSLv2: Netty decides, as before
                return null;
            }
            int length = in.getUnsignedShort(at + 3);
            if (length > MAX_RECORD) {
                return "TLS record of " + length + " bytes announced (TLS allows " + MAX_RECORD + ")";
            }
            if (readable - checked < RECORD_HEADER + length) {
                return null; // the rest of this record is still to come
            }
            checked += RECORD_HEADER + length;
        }
        return null;
    }

    @Override
    protected void replaceHandler(ChannelHandlerContext ctx, @Nullable String hostname, @Nullable SslContext sslContext)
            throws Exception {
        if (hostname != null) {
            String name = hostname.toLowerCase(Locale.ROOT);
            ctx.channel().attr(SERVER_NAME).set(name.endsWith(".") ? name.substring(0, name.length() - 1) : name);
        }
        super.replaceHandler(ctx, hostname, sslContext);
    }
}
