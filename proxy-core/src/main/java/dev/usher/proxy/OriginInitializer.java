package dev.usher.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Wires an origin connection: an {@link SslHandler} for TLS origins, then {@link OriginResponseDecoder},
 * {@link OriginRequestEncoder}, {@link AllocationGuard}, {@link OriginHandler}.
 */
final class OriginInitializer extends ChannelInitializer<Channel> {

    private final AllocationGuard guard;
    private final @Nullable SslContext tls;
    private final @Nullable String serverName;
    private final long handshakeTimeoutMillis;

    OriginInitializer(AllocationGuard guard) {
        this(guard, null, null, Duration.ZERO);
    }

    /**
     * @param tls the client context, or {@code null} for cleartext
     * @param serverName sent as SNI and, when the context verifies, checked in the certificate; {@code null}: none
     * @param handshakeTimeout how long the TLS handshake may take
     */
    OriginInitializer(
            AllocationGuard guard, @Nullable SslContext tls, @Nullable String serverName, Duration handshakeTimeout) {
        this.guard = guard;
        this.tls = tls;
        this.serverName = serverName;
        this.handshakeTimeoutMillis = handshakeTimeout.toMillis();
    }

    @Override
    protected void initChannel(Channel ch) {
        if (tls != null) {
            ch.pipeline().addLast(OriginTlsContexts.handler(tls, ch.alloc(), serverName, handshakeTimeoutMillis));
        }
        ch.pipeline()
                .addLast(
                        new OriginResponseDecoder(),
                        new OriginRequestEncoder(guard),
                        guard.encoderChecked(),
                        new OriginHandler());
    }
}
