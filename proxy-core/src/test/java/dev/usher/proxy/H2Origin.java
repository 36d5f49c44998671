package dev.usher.proxy;

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
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An h2c (prior knowledge) origin on a loopback port, Netty's HTTP/2 server: {@code /hello} answers
 * {@code "h2 <path> te=<te>"}; {@code /trailers} a streamed body and {@code grpc-status}/{@code grpc-message}
 * trailers; {@code /count} the request body's length; {@code /pattern?bytes=} a body of {@link TestOrigin#patternByte}s; {@code /held} answers only after {@link #releaseHeld()}. Counts TCP connections, requests, and the most
 * streams ever open at once on one connection. The next {@link #refuseWithReset} requests are refused unprocessed
 * with {@code RST_STREAM REFUSED_STREAM}, the next {@link #refuseWithGoAway} with a GOAWAY whose last stream id is
 * below theirs (counted in {@link #refused}, not in {@link #requests}).
 */
final class H2Origin implements AutoCloseable {

    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger maxStreamsOnAConnection = new AtomicInteger();
    final AtomicInteger refuseWithReset = new AtomicInteger();
    final AtomicInteger refuseWithGoAway = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final Queue<ChannelHandlerContext> held = new ConcurrentLinkedQueue<>();
    private final Map<Channel, AtomicInteger> openStreams = new ConcurrentHashMap<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    /** @param maxConcurrentStreams the origin's SETTINGS_MAX_CONCURRENT_STREAMS, or 0 for none announced */
    H2Origin(int maxConcurrentStreams) {
        this(maxConcurrentStreams, null);
    }

    /** As above, over TLS with {@code tls} (which must offer ALPN h2) when not null. */
    H2Origin(int maxConcurrentStreams, SslContext tls) {
        Http2Settings settings = Http2Settings.defaultSettings();
        if (maxConcurrentStreams > 0) {
            settings.maxConcurrentStreams(maxConcurrentStreams);
        }
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        AtomicInteger open = new AtomicInteger();
                        openStreams.put(ch, open);
                        ch.closeFuture().addListener(f -> openStreams.remove(ch));
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast(
                                        Http2FrameCodecBuilder.forServer()
                                                .initialSettings(settings)
                                                .build(),
                                        new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                            @Override
                                            protected void initChannel(Http2StreamChannel stream) {
                                                maxStreamsOnAConnection.accumulateAndGet(
                                                        open.incrementAndGet(), Math::max);
                                                stream.closeFuture().addListener(f -> open.decrementAndGet());
                                                stream.pipeline()
                                                        .addLast(
                                                                new Http2StreamFrameToHttpObjectCodec(true),
                                                                new HttpObjectAggregator(1 << 20),
                                                                new Handler());
                                            }
                                        }));
                    }
                })
                .bind("127.0.0.1", 0)
                .syncUninterruptibly()
                .channel();
    }

    int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    /** Answers every held request. */
    void releaseHeld() {
        ChannelHandlerContext ctx;
        while ((ctx = held.poll()) != null) {
            ChannelHandlerContext c = ctx;
            c.executor().execute(() -> c.writeAndFlush(text("released")));
        }
    }

    /** A graceful GOAWAY on every connection: streams already open may finish, no new ones are accepted. */
    void goAway() {
        openStreams.keySet().forEach(ch -> ch.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR)));
    }

    private static FullHttpResponse text(String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        HttpUtil.setContentLength(response, body.length);
        return response;
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (refuseWithReset.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                refused.incrementAndGet();
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
                return;
            }
            if (refuseWithGoAway.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                refused.incrementAndGet();
                Channel parent = ctx.channel().parent();
                Http2FrameCodec codec = parent.pipeline().get(Http2FrameCodec.class);
                int id = ((Http2StreamChannel) ctx.channel()).stream().id();
                codec.goAway(
                        parent.pipeline().context(codec),
                        Math.max(0, id - 2),
                        Http2Error.NO_ERROR.code(),
                        Unpooled.EMPTY_BUFFER,
                        parent.newPromise());
                parent.flush();
                return;
            }
            requests.incrementAndGet();
            String path = request.uri();
            if (path.startsWith("/held")) {
                held.add(ctx);
            } else if (path.startsWith("/pattern?bytes=")) {
                int bytes = Integer.parseInt(path.substring("/pattern?bytes=".length()));
                ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
                for (int at = 0; at < bytes; at += 16 * 1024) {
                    int n = Math.min(16 * 1024, bytes - at);
                    io.netty.buffer.ByteBuf chunk = ctx.alloc().buffer(n);
                    for (int i = at; i < at + n; i++) {
                        chunk.writeByte(TestOrigin.patternByte(i));
                    }
                    ctx.write(new DefaultHttpContent(chunk));
                }
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            } else if (path.startsWith("/count")) {
                ctx.writeAndFlush(text("count=" + request.content().readableBytes()));
            } else if (path.startsWith("/trailers")) {
                DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
                ctx.write(head);
                ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("message-1;", StandardCharsets.UTF_8)));
                LastHttpContent last =
                        new DefaultLastHttpContent(Unpooled.copiedBuffer("message-2", StandardCharsets.UTF_8));
                last.trailingHeaders().set("grpc-status", "0").set("grpc-message", "all-good");
                ctx.writeAndFlush(last);
            } else {
                String te = request.headers().get(HttpHeaderNames.TE, "-");
                String body = "h2 " + path + " te=" + te + " body="
                        + request.content().toString(StandardCharsets.UTF_8);
                ctx.writeAndFlush(text(body));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
