package dev.usher.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

/**
 * On the HTTPS listener, after the TLS handshake: ALPN {@code h2} turns the connection into an HTTP/2 one; anything
 * else (or no ALPN) keeps the HTTP/1 pipeline that is already in place. Application data that arrived with the
 * handshake is held and then handed to the chosen pipeline.
 */
final class H2AlpnSwitch extends ApplicationProtocolNegotiationHandler {

    private final ClientInitializer initializer;

    H2AlpnSwitch(ClientInitializer initializer) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.initializer = initializer;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            initializer.toHttp2(ctx.pipeline(), true);
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a failed handshake is the client's business; the SNI handler already counted it
    }
}
