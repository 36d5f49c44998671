package dev.usher.deploy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One handshake from a BoringSSL client limited to a single protocol version. Unlike the JDK's client, it still offers
 * TLS 1.1 when told to, so a refusal can only come from the server (the same approach as the tls module's
 * {@code NettyTlsClient}). Callers check {@code OpenSsl.isAvailable()} first.
 */
final class LegacyTlsHandshake {

    private LegacyTlsHandshake() {}

    /** Handshakes with 127.0.0.1:port as {@code sni} offering only {@code protocol}; null on success, else why not. */
    static Throwable attempt(int port, String sni, String protocol) throws SSLException, InterruptedException {
        SslContext context = SslContextBuilder.forClient()
                .sslProvider(SslProvider.OPENSSL)
                .protocols(protocol)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            SslHandler[] ssl = new SslHandler[1];
            Channel channel = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ssl[0] = context.newHandler(ch.alloc(), sni, port); // peerHost becomes the SNI name
                            ch.pipeline().addLast(ssl[0], new ChannelInboundHandlerAdapter() {
                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    // the handshake future carries the failure; SslHandler closes the channel
                                }
                            });
                        }
                    })
                    .connect("127.0.0.1", port)
                    .sync()
                    .channel();
            Future<Channel> handshake = ssl[0].handshakeFuture();
            if (!handshake.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("handshake did not finish within 10 s");
            }
            channel.close().syncUninterruptibly();
            return handshake.cause();
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
