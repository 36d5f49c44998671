package dev.usher.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.internal.tcnative.SSL;
import io.netty.util.AsyncMapping;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;

/** A loopback TLS echo server whose pipeline is {@code SniHandler(mapping)} and an echo handler. */
final class SniServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel channel;
    private final List<Throwable> handshakeFailures = new CopyOnWriteArrayList<>();
    private final List<String> clientCertificates = new CopyOnWriteArrayList<>();
    private final List<Boolean> resumptions = new CopyOnWriteArrayList<>();

    private SniServer(AsyncMapping<String, SslContext> mapping) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new SniHandler(mapping), new Echo());
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
    }

    static SniServer start(AsyncMapping<String, SslContext> mapping) throws InterruptedException {
        return new SniServer(mapping);
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Handshakes that failed on the server side, in order. */
    List<Throwable> handshakeFailures() {
        return handshakeFailures;
    }

    /** Per completed handshake, in order: whether it resumed a session (BoringSSL only; the JDK's says false). */
    List<Boolean> resumptions() {
        return resumptions;
    }

    /** Per completed handshake, in order: the subject of the client's certificate, or "none". */
    List<String> clientCertificates() {
        return clientCertificates;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
                handshakeFailures.add(done.cause());
            } else if (evt instanceof SslHandshakeCompletionEvent) {
                SSLEngine engine = ctx.pipeline().get(SslHandler.class).engine();
                resumptions.add(engine instanceof ReferenceCountedOpenSslEngine openSsl
                        && SSL.isSessionReused(openSsl.sslPointer()));
                try {
                    Certificate[] peer = engine.getSession().getPeerCertificates();
                    clientCertificates.add(((X509Certificate) peer[0])
                            .getSubjectX500Principal()
                            .getName());
                } catch (SSLPeerUnverifiedException e) {
                    clientCertificates.add("none");
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
