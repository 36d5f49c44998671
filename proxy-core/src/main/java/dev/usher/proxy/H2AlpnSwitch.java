package dev.usher.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.io.IOException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the HTTPS listener, after the TLS handshake: ALPN {@code h2} turns the connection into an HTTP/2 one; anything
 * else (or no ALPN) keeps the HTTP/1 pipeline that is already in place. Application data that arrived with the
 * handshake is held and then handed to the chosen pipeline.
 *
 * <p>A client that resets its connection during the handshake, or whose ClientHello a decoder ahead refuses (too long),
 * is closed with a debug line: Netty's handler would log a WARN with a stack trace for each, which any client could
 * write into the log at will (nginx logs a client's handshake failures at {@code info}). Other errors keep Netty's
 * warning.
 */
final class H2AlpnSwitch extends ApplicationProtocolNegotiationHandler {

    private static final Logger LOG = LoggerFactory.getLogger(H2AlpnSwitch.class);

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

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (clientsDoing(cause)) {
            LOG.debug("{} closed during the TLS handshake: {}", ctx.channel(), cause.toString());
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, cause);
    }

    /**
     * The client's connection failed (a reset), or a decoder ahead refused its bytes of its own accord (a ClientHello
     * too long, not TLS at all) or because TLS did; a decoder's error with any other cause may be Usher's and stays a
     * warning.
     */
    private static boolean clientsDoing(Throwable cause) {
        return cause instanceof IOException
                || cause instanceof DecoderException
                        && (cause.getCause() == null || cause.getCause() instanceof SSLException);
    }
}
