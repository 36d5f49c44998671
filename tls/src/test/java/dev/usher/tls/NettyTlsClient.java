package dev.usher.tls;

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
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * A Netty TLS client limited to one protocol version, on BoringSSL when it loads: unlike the JDK's, it still
 * offers TLS 1.1 when told to, so a refusal can only come from the server.
 */
final class NettyTlsClient implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel channel;
    private final SslHandler ssl;

    private NettyTlsClient(EventLoopGroup group, Channel channel, SslHandler ssl) {
        this.group = group;
        this.channel = channel;
        this.ssl = ssl;
    }

    static NettyTlsClient connect(int port, String sni, String protocol) throws SSLException, InterruptedException {
        SslContext context = SslContextBuilder.forClient()
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .protocols(protocol)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        SslHandler[] holder = new SslHandler[1];
        try {
            Channel channel = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            // peerHost becomes the SNI host name.
                            holder[0] = context.newHandler(ch.alloc(), sni, port);
                            ch.pipeline().addLast(holder[0], new ChannelInboundHandlerAdapter() {
                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    // The handshake future reports the failure and SslHandler closes the channel.
                                }
                            });
                        }
                    })
                    .connect("127.0.0.1", port)
                    .sync()
                    .channel();
            return new NettyTlsClient(group, channel, holder[0]);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Waits (10 s at most) for the handshake; null when it succeeded, else why it failed. */
    Throwable handshake() throws InterruptedException {
        Future<Channel> done = ssl.handshakeFuture();
        if (!done.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("handshake did not finish within 10 s");
        }
        return done.cause();
    }

    String protocol() {
        return ssl.engine().getSession().getProtocol();
    }

    String cipherSuite() {
        return ssl.engine().getSession().getCipherSuite();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
