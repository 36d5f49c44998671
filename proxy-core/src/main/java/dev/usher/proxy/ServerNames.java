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
final class ServerNames extends SniHandler {

    /** The SNI name of a TLS connection, lower case without a trailing dot; absent when the client sent none. */
    static final AttributeKey<String> SERVER_NAME = AttributeKey.valueOf(ServerNames.class, "serverName");

    ServerNames(AsyncMapping<String, SslContext> mapping, long handshakeTimeoutMillis) {
        // 0 = Netty's default ClientHello size limit
        super(mapping, 0, handshakeTimeoutMillis);
    }

    @Override
    protected void replaceHandler(ChannelHandlerContext ctx, @Nullable String hostname, SslContext sslContext)
            throws Exception {
        if (hostname != null) {
            String name = hostname.toLowerCase(Locale.ROOT);
            ctx.channel().attr(SERVER_NAME).set(name.endsWith(".") ? name.substring(0, name.length() - 1) : name);
        }
        super.replaceHandler(ctx, hostname, sslContext);
    }
}
