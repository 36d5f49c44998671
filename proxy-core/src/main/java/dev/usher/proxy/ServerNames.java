package dev.usher.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsyncMapping;
import io.netty.util.AttributeKey;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Netty's {@link SniHandler} that also remembers, on the connection, the server name the handshake was made for: a
 * host that verifies client certificates serves only requests whose {@code Host} is that name
 * ({@link ClientCertificateGate}, 421 otherwise).
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

    ServerNames(AsyncMapping<String, SslContext> mapping, long handshakeTimeoutMillis) {
        super(mapping, MAX_CLIENT_HELLO, handshakeTimeoutMillis);
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
