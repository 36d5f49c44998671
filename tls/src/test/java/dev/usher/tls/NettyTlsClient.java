package dev.usher.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.internal.tcnative.SSL;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
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
    private final CompletableFuture<String> echoed;

    private NettyTlsClient(EventLoopGroup group, Channel channel, SslHandler ssl, CompletableFuture<String> echoed) {
        this.group = group;
        this.channel = channel;
        this.ssl = ssl;
        this.echoed = echoed;
    }

    static NettyTlsClient connect(int port, String sni, String protocol) throws SSLException, InterruptedException {
        return connect(context(protocol), port, sni);
    }

    /** A client context offering only {@code protocol}; one context resumes the sessions it got earlier. */
    static SslContext context(String protocol) throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .protocols(protocol)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();
    }

    /** Connects with {@code context}, which offers a session it holds for {@code sni} and {@code port}. */
    static NettyTlsClient connect(SslContext context, int port, String sni) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        SslHandler[] holder = new SslHandler[1];
        CompletableFuture<String> echoed = new CompletableFuture<>();
        try {
            Channel channel = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            // peerHost becomes the SNI host name, and with the port the key of a kept session.
                            holder[0] = context.newHandler(ch.alloc(), sni, port);
                            ch.pipeline().addLast(holder[0], new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ByteBuf buf = (ByteBuf) msg;
                                    echoed.complete(buf.toString(StandardCharsets.UTF_8));
                                    buf.release();
                                }

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
            return new NettyTlsClient(group, channel, holder[0], echoed);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * Sends {@code text} and waits (10 s at most) for the echo server's answer. TLS 1.3 session tickets come right
     * after the handshake, so once the answer is here, so is any ticket.
     */
    String echo(String text) throws Exception {
        channel.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        return echoed.get(10, TimeUnit.SECONDS);
    }

    /** Whether the handshake resumed an earlier session instead of a full one (BoringSSL's view). */
    boolean resumed() {
        return SSL.isSessionReused(((ReferenceCountedOpenSslEngine) ssl.engine()).sslPointer());
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
