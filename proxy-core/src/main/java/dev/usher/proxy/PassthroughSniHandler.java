package dev.usher.proxy;

import dev.usher.routing.Passthrough;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * The HTTPS listener's SNI handler under {@code --enable-ssl-passthrough}: Netty's {@link SniHandler} (the ClientHello
 * buffered up to {@link #MAX_CLIENT_HELLO}, the handshake timeout, a malformed or oversized hello closes the
 * connection) with one difference: a server name the routing snapshot lists as a passthrough host
 * ({@link dev.usher.routing.RoutingSnapshot#passthrough}) is not terminated. Its connection, the buffered ClientHello
 * first, is spliced to the host's backend ({@link PassthroughSplice}). Any other name, or none, gets its certificate
 * and the usual TLS pipeline, on the same port.
 */
final class PassthroughSniHandler extends ServerNames {

    private final ProxyContext context;
    private @Nullable Passthrough target;

    PassthroughSniHandler(AsyncMapping<String, SslContext> sni, ProxyContext context) {
        super(sni, context.settings().requestHeaderTimeout().toMillis());
        this.context = context;
    }

    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, @Nullable String hostname) throws Exception {
        target = context.table().current().passthrough(hostname); // one read of the snapshot per connection
        return target == null ? super.lookup(ctx, hostname) : ctx.executor().newSucceededFuture(null);
    }

    @Override
    protected void replaceHandler(ChannelHandlerContext ctx, @Nullable String hostname, @Nullable SslContext sslContext)
            throws Exception {
        Passthrough to = target;
        if (to == null) {
            super.replaceHandler(ctx, hostname, sslContext);
        } else {
            PassthroughSplice.start(ctx, to, context);
        }
    }
}
