package dev.usher.proxy;

import dev.usher.tls.TlsCertificate;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * An HTTPS origin on a loopback port serving {@code certificate}: answers every request with
 * {@code "tls <path>"}; records the SNI names clients sent ({@code "-"} for none), its TCP connections and requests.
 */
final class TlsOrigin implements AutoCloseable {

    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final Queue<String> serverNames = new ConcurrentLinkedQueue<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    /** The protocol and cipher suite of each completed handshake, as {@code "TLSv1.2 TLS_..."}. */
    final Queue<String> handshakes = new ConcurrentLinkedQueue<>();

    TlsOrigin(TlsCertificate certificate) throws SSLException {
        this(certificate, null, null);
    }

    /** An origin offering only {@code protocols} and {@code ciphers} (IANA names); {@code null}: the defaults. */
    TlsOrigin(TlsCertificate certificate, String[] protocols, java.util.List<String> ciphers) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forServer(
                certificate.key(), certificate.chain().toArray(new X509Certificate[0]));
        if (protocols != null) {
            builder.protocols(protocols);
        }
        if (ciphers != null) {
            builder.ciphers(ciphers);
        }
        SslContext context = builder.build();
        AsyncMapping<String, SslContext> mapping = (String name, Promise<SslContext> promise) -> {
            serverNames.add(name == null ? "-" : name);
            return promise.setSuccess(context);
        };
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        ch.pipeline()
                                .addLast(
                                        new SniHandler(mapping),
                                        new HttpServerCodec(),
                                        new HttpObjectAggregator(1 << 20),
                                        new SimpleChannelInboundHandler<FullHttpRequest>() {
                                            @Override
                                            protected void channelRead0(
                                                    ChannelHandlerContext ctx, FullHttpRequest request) {
                                                requests.incrementAndGet();
                                                byte[] body = ("tls " + request.uri()).getBytes(StandardCharsets.UTF_8);
                                                FullHttpResponse response = new DefaultFullHttpResponse(
                                                        HttpVersion.HTTP_1_1,
                                                        HttpResponseStatus.OK,
                                                        Unpooled.wrappedBuffer(body));
                                                HttpUtil.setContentLength(response, body.length);
                                                ctx.writeAndFlush(response);
                                            }

                                            @Override
                                            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                                                if (event instanceof SslHandshakeCompletionEvent done
                                                        && done.isSuccess()) {
                                                    javax.net.ssl.SSLSession session = ctx.pipeline()
                                                            .get(SslHandler.class)
                                                            .engine()
                                                            .getSession();
                                                    handshakes.add(
                                                            session.getProtocol() + " " + session.getCipherSuite());
                                                }
                                                ctx.fireUserEventTriggered(event);
                                            }

                                            @Override
                                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                                ctx.close(); // handshakes the proxy refused: expected here
                                            }
                                        });
                    }
                })
                .bind("127.0.0.1", 0)
                .syncUninterruptibly()
                .channel();
    }

    int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
