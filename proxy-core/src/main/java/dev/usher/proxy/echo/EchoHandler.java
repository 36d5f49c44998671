package dev.usher.proxy.echo;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Answers one request at a time on a connection, in order.
 *
 * <p>Request bodies are counted and released as they stream in. While a reply is pending (delayed or being written),
 * reading stops and anything the decoder already produced waits in {@code pending}, so pipelined requests are answered
 * in the order they arrived; the queue is bounded by one read. A {@code GET /ws} upgrade swaps this handler for
 * Netty's WebSocket protocol handler and a frame echo. All state is confined to the channel's event loop.
 */
final class EchoHandler extends ChannelInboundHandlerAdapter {

    static final String WEBSOCKET_PATH = "/ws";

    private final EchoIdentity identity;
    private final long defaultSize;
    private final long connectionId;
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private @Nullable HttpRequest request;
    private long bodyLength;
    private boolean responding;
    private @Nullable ScheduledFuture<?> delayed;

    EchoHandler(EchoIdentity identity, long defaultSize, long connectionId) {
        this.identity = identity;
        this.defaultSize = defaultSize;
        this.connectionId = connectionId;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (responding) {
            pending.add(msg);
        } else {
            handle(ctx, msg);
        }
    }

    private void handle(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest head) {
            if (head.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                badRequest(ctx, head.decoderResult().cause());
                return;
            }
            if (isWebSocketUpgrade(head)) {
                switchToWebSocket(ctx, msg);
                return;
            }
            request = head;
            bodyLength = 0;
        }
        if (msg instanceof HttpContent content) {
            boolean failed = content.decoderResult().isFailure();
            bodyLength += content.content().readableBytes();
            content.release();
            if (failed) {
                badRequest(ctx, content.decoderResult().cause());
            } else if (msg instanceof LastHttpContent && request != null) {
                finish(ctx);
            }
        } else if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void finish(ChannelHandlerContext ctx) {
        HttpRequest head = Objects.requireNonNull(request, "finish follows a head");
        long length = bodyLength;
        request = null;
        responding = true;
        ctx.channel().config().setAutoRead(false);
        EchoParams params = EchoParams.parse(head.uri(), defaultSize);
        if (params.delayMillis() > 0) {
            // Scheduled on the event loop: a slow reply never blocks other connections.
            delayed = ctx.executor()
                    .schedule(() -> reply(ctx, head, length, params), params.delayMillis(), TimeUnit.MILLISECONDS);
        } else {
            reply(ctx, head, length, params);
        }
    }

    private void reply(ChannelHandlerContext ctx, HttpRequest head, long length, EchoParams params) {
        delayed = null;
        boolean keepAlive = HttpUtil.isKeepAlive(head);
        ChannelFuture written = EchoReply.write(ctx, head, length, params, identity, connectionId, keepAlive);
        written.addListener((ChannelFutureListener) future -> {
            if (!future.isSuccess() || !keepAlive) {
                future.channel().close();
                return;
            }
            responding = false;
            future.channel().config().setAutoRead(true);
            Object next;
            while (!responding && (next = pending.poll()) != null) {
                handle(ctx, next);
            }
        });
    }

    private static boolean isWebSocketUpgrade(HttpRequest head) {
        String uri = head.uri();
        boolean path = uri.equals(WEBSOCKET_PATH) || uri.startsWith(WEBSOCKET_PATH + "?");
        return path && head.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    private void switchToWebSocket(ChannelHandlerContext ctx, Object upgrade) {
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(WEBSOCKET_PATH)
                .checkStartsWith(true)
                .allowExtensions(false)
                .maxFramePayloadLength(1 << 20)
                .build();
        // Take the queue first: removing this handler releases whatever is still pending.
        ArrayDeque<Object> queued = new ArrayDeque<>(pending);
        pending.clear();
        ctx.pipeline()
                .addAfter(ctx.name(), "ws-aggregator", new HttpObjectAggregator(8192))
                .addAfter("ws-aggregator", "ws-protocol", new WebSocketServerProtocolHandler(config))
                .addAfter("ws-protocol", "ws-echo", new WebSocketEchoHandler())
                .remove(this);
        ctx.fireChannelRead(upgrade);
        Object next;
        while ((next = queued.poll()) != null) {
            ctx.fireChannelRead(next);
        }
    }

    private void badRequest(ChannelHandlerContext ctx, Throwable cause) {
        String text = "bad request: " + (cause == null ? "malformed" : cause.getMessage()) + "\n";
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.BAD_REQUEST,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        response.headers()
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        responding = true;
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        if (delayed != null) {
            delayed.cancel(false);
            delayed = null;
        }
        Object next;
        while ((next = pending.poll()) != null) {
            ReferenceCountUtil.release(next);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
