package dev.usher.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;

/**
 * Wires a parent HTTP/2 connection to an origin: an {@link SslHandler} offering ALPN {@code h2} for TLS origins, the
 * client {@code Http2FrameCodec} (server push off), an {@link Http2MultiplexHandler} (a child channel per stream) and
 * the pool's {@link Http2OriginConnection}.
 */
final class Http2OriginInitializer extends ChannelInitializer<Channel> {

    /** The pool a parent connection belongs to, set on its bootstrap. */
    static final AttributeKey<Http2OriginPool> POOL = AttributeKey.valueOf("usher.http2OriginPool");

    private final @Nullable SslContext tls;
    private final @Nullable String serverName;
    private final long handshakeTimeoutMillis;
    private final int maxHeaderListSize;

    private Http2OriginInitializer(@Nullable SslContext tls, @Nullable String serverName, ProxySettings settings) {
        this.tls = tls;
        this.serverName = serverName;
        this.handshakeTimeoutMillis = settings.connectTimeout().toMillis();
        this.maxHeaderListSize = settings.maxHeaderSize();
    }

    /**
     * A bootstrap for parent connections from the origin bootstrap {@code base}: auto-read on (streams have their own
     * flow control; each stream channel reads only when its exchange asks).
     */
    static Bootstrap bootstrap(
            Bootstrap base, @Nullable SslContext tls, @Nullable String serverName, ProxySettings settings) {
        return base.clone()
                .option(ChannelOption.AUTO_READ, true)
                .handler(new Http2OriginInitializer(tls, serverName, settings));
    }

    @Override
    protected void initChannel(Channel ch) {
        if (tls == null) {
            addHttp2(ch.pipeline());
            return;
        }
        SslHandler ssl = OriginTlsContexts.handler(tls, ch.alloc(), serverName, handshakeTimeoutMillis);
        // HTTP/2 only once the origin agreed to h2: nothing, not even the preface, goes to one that did not
        ch.pipeline().addLast(ssl, new ApplicationProtocolNegotiationHandler("") {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    addHttp2(ctx.pipeline());
                } else {
                    ctx.close(); // a failed connect for the requests waiting on it (502)
                }
            }

            @Override
            protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close(); // the pool's handshake listener reports the cause
            }
        });
    }

    private void addHttp2(ChannelPipeline pipeline) {
        Http2Settings initial =
                Http2Settings.defaultSettings().pushEnabled(false).maxHeaderListSize(Math.max(maxHeaderListSize, 8192));
        pipeline.addLast(
                Http2FrameCodecBuilder.forClient().initialSettings(initial).build(),
                new Http2MultiplexHandler(RefusePush.INSTANCE),
                pipeline.channel().attr(POOL).get().newConnection());
    }

    /** Server push was refused in SETTINGS; a pushed stream anyway is closed at once. */
    @ChannelHandler.Sharable
    static final class RefusePush extends ChannelInboundHandlerAdapter {
        static final RefusePush INSTANCE = new RefusePush();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.close();
        }
    }
}
