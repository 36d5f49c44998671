package dev.usher.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseNotifier;
import java.util.ArrayDeque;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Between a stream's frame-to-HTTP codec and {@link ClientHandler}: makes a stream's messages look exactly like what
 * the HTTP/1 decoder produces, so the handler and the exchange need no HTTP/2 branch.
 *
 * <ul>
 *   <li>The conversion's own fields ({@code x-http2-stream-id}, {@code x-http2-scheme}, ...) are removed: the origin
 *       never sees them, whoever set them. {@code :authority} became {@code Host} and cookie crumbs one
 *       {@code Cookie} field (RFC 9113 §8.2.3) in the conversion.</li>
 *   <li>A request that ended with its HEADERS frame arrives as a full request; it goes on as a head and an empty end,
 *       as the HTTP/1 decoder delivers it.</li>
 *   <li>The head waits until the connection's current read batch is over (one event-loop task) before it goes on: a
 *       stream opened and reset in the same batch (rapid reset, CVE-2023-44487) is closed by then and costs no
 *       origin request, just the dropped head.</li>
 *   <li>Outbound, an interim (1xx) response is turned into the full message the codec wants, and the empty end that
 *       follows it on the HTTP/1 path is swallowed, since on HTTP/2 it would end the stream.</li>
 *   <li>A final response head waits for the next write or flush: when that is an empty end without trailers, both
 *       leave as one HEADERS frame with END_STREAM. gRPC requires it for a trailers-only response (a HEADERS frame
 *       with {@code grpc-status} followed by an empty DATA frame is a protocol error to grpc-java), and a
 *       body-less response costs one frame instead of two.</li>
 * </ul>
 * Other inbound stream frames (a client's RST_STREAM, unknown frames) are released: closing the stream is Netty's.
 */
final class H2StreamAdapter extends ChannelDuplexHandler {

    /** The names of {@link HttpConversionUtil.ExtensionHeaderNames}, copied once ({@code values()} copies per call). */
    private static final AsciiString[] CONVERSION_FIELDS = java.util.Arrays.stream(
                    HttpConversionUtil.ExtensionHeaderNames.values())
            .map(HttpConversionUtil.ExtensionHeaderNames::text)
            .toArray(AsciiString[]::new);

    private @Nullable ArrayDeque<HttpObject> held;
    private boolean interimEnd;
    private @Nullable HttpResponse pendingHead;
    private @Nullable ChannelPromise pendingPromise;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject object)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (object instanceof LastHttpContent last) {
            removeConversionFields(last.trailingHeaders());
        }
        if (held != null) {
            held.add(object);
            return;
        }
        if (object instanceof HttpRequest request) {
            removeConversionFields(request.headers());
            held = new ArrayDeque<>(2);
            if (request instanceof FullHttpRequest full) {
                held.add(new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers()));
                removeConversionFields(full.trailingHeaders());
                held.add(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
            } else {
                held.add(request);
            }
            ctx.executor().execute(() -> release(ctx));
            return;
        }
        ctx.fireChannelRead(object);
    }

    private void release(ChannelHandlerContext ctx) {
        ArrayDeque<HttpObject> queued = Objects.requireNonNull(held, "held before this task was scheduled");
        held = null;
        boolean open = ctx.channel().isActive();
        for (HttpObject msg; (msg = queued.poll()) != null; ) {
            if (open) {
                ctx.fireChannelRead(msg);
            } else {
                ReferenceCountUtil.release(msg); // reset before its turn: nothing was forwarded
            }
        }
    }

    /** Removes the conversion's {@code x-http2-*} fields from {@code headers}. */
    static void removeConversionFields(HttpHeaders headers) {
        if (headers.isEmpty()) {
            return;
        }
        for (AsciiString name : CONVERSION_FIELDS) {
            headers.remove(name);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (pendingHead != null
                && msg instanceof LastHttpContent last
                && !last.content().isReadable()
                && last.trailingHeaders().isEmpty()) {
            HttpResponse response = pendingHead;
            ChannelPromise headPromise = pendingPromise;
            pendingHead = null;
            pendingPromise = null;
            last.release();
            ctx.write(
                            new DefaultFullHttpResponse(
                                    response.protocolVersion(),
                                    response.status(),
                                    Unpooled.EMPTY_BUFFER,
                                    response.headers(),
                                    EmptyHttpHeaders.INSTANCE),
                            promise)
                    .addListener(new PromiseNotifier<Void, ChannelFuture>(headPromise));
            return;
        }
        writePendingHead(ctx);
        if (msg instanceof HttpResponse response
                && !(msg instanceof FullHttpResponse)
                && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            pendingHead = response;
            pendingPromise = promise.unvoid();
        } else if (msg instanceof HttpResponse response
                && !(msg instanceof FullHttpResponse)
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            interimEnd = true;
            ctx.write(
                    new DefaultFullHttpResponse(
                            response.protocolVersion(),
                            response.status(),
                            Unpooled.EMPTY_BUFFER,
                            response.headers(),
                            EmptyHttpHeaders.INSTANCE),
                    promise);
        } else if (interimEnd && msg instanceof LastHttpContent last) {
            interimEnd = false;
            last.release();
            promise.setSuccess();
        } else {
            ctx.write(msg, promise);
        }
    }

    private void writePendingHead(ChannelHandlerContext ctx) {
        if (pendingHead != null) {
            HttpResponse response = pendingHead;
            pendingHead = null;
            ctx.write(response, pendingPromise);
            pendingPromise = null;
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        writePendingHead(ctx);
        ctx.flush();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        writePendingHead(ctx);
        ctx.close(promise);
    }
}
