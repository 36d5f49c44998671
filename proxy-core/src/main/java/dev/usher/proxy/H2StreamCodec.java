package dev.usher.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseCombiner;
import io.netty.util.concurrent.PromiseNotifier;
import java.util.ArrayDeque;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * First in a client stream's pipeline: turns the stream's frames into exactly what the HTTP/1 decoder produces, and
 * the HTTP/1 objects the exchange writes back into frames, so {@link ClientHandler} and the exchange need no HTTP/2
 * branch. One handler instead of a chain of four (check, Netty's frame-to-HTTP codec, adapter): a stream is set up
 * and traversed once per request, so every handler in it is paid for per request.
 *
 * <p>Inbound:
 * <ul>
 *   <li>A malformed header block ({@link H2HeaderCheck}, RFC 9113 §8.2) resets the stream with {@code
 *       PROTOCOL_ERROR} before anything is converted; all the stream sends afterwards is dropped.</li>
 *   <li>The head becomes a request line and fields ({@link H2Heads}: {@code :authority} → {@code Host}, cookie
 *       crumbs one {@code Cookie}, §8.2.3), without {@code x-http2-*} fields, whoever sent them. A request whose
 *       body follows gets {@code Transfer-Encoding: chunked} unless it has a {@code Content-Length}; one that ended
 *       with its HEADERS frame goes on as a head and an empty end, as the HTTP/1 decoder delivers it.</li>
 *   <li>The head waits until the connection's current read batch is over ({@link H2ReadBatch}) before it goes on: a
 *       stream opened and reset in the same batch (rapid reset, CVE-2023-44487) is closed by then and costs no
 *       origin request, just the dropped head.</li>
 *   <li>DATA becomes content, a trailing HEADERS frame the end with trailers; other frames (a client's RST_STREAM,
 *       unknown frames) are released: closing the stream is Netty's.</li>
 *   <li>One message per {@code read()}, as {@link ReadGate} gives it on HTTP/1: the exchange asks
 *       for the next one when it can take it (the body as the origin takes it); what the child channel has not read
 *       yet waits in the stream's window.</li>
 * </ul>
 *
 * <p>Outbound:
 * <ul>
 *   <li>A final response head waits for the next write or flush: when that is an empty end without trailers, both
 *       leave as one HEADERS frame with END_STREAM. gRPC requires it for a trailers-only response (a HEADERS frame
 *       with {@code grpc-status} followed by an empty DATA frame is a protocol error to grpc-java), and a body-less
 *       response costs one frame instead of two.</li>
 *   <li>An interim (1xx) head is one HEADERS frame without END_STREAM; the empty end that follows it on the HTTP/1
 *       path is swallowed, since on HTTP/2 it would end the stream. So is Usher's own {@code 100 Continue}, a full
 *       message, before it buffers a body.</li>
 *   <li>Content is DATA; an end with trailers is DATA (when it has content) and a HEADERS frame with END_STREAM.</li>
 *   <li>Heads and trailers become header blocks through {@link H2ResponseHeads}: Netty's conversion
 *       (connection-specific fields out, names lower case, cookies split), built in one pass.</li>
 * </ul>
 */
final class H2StreamCodec extends ChannelDuplexHandler {

    /** The names of {@link HttpConversionUtil.ExtensionHeaderNames}, copied once ({@code values()} copies per call). */
    private static final AsciiString[] CONVERSION_FIELDS = java.util.Arrays.stream(
                    HttpConversionUtil.ExtensionHeaderNames.values())
            .map(HttpConversionUtil.ExtensionHeaderNames::text)
            .toArray(AsciiString[]::new);

    private final H2ReadBatch batch;
    private final Runnable endHold = this::endHold;
    private ChannelHandlerContext ctx; // set by handlerAdded, an initializer
    private boolean refused;
    private boolean headSeen;
    /** Converted messages the exchange has not asked for yet. */
    private final ArrayDeque<HttpObject> queue = new ArrayDeque<>(4);
    /** The head waits for the end of the read batch that brought it (rapid reset). */
    private boolean holding;
    /** A {@code read()} is waiting for a message. */
    private boolean demand;

    private int depth;
    private boolean interimEnd;
    private @Nullable HttpResponse pendingHead;
    private @Nullable ChannelPromise pendingPromise;

    H2StreamCodec(H2ReadBatch batch) {
        this.batch = batch;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    /**
     * A stream error the frame codec found on this stream (a WINDOW_UPDATE that overflows the stream's window, say):
     * the stream is reset with its code, where the child channel's close would send {@code CANCEL}. Besides telling
     * the client what it did wrong (RFC 9113 §5.4.2), that puts the reset on the connection's budget of resets Usher
     * sends, which counts no {@code CANCEL}: a client that makes Usher reset its streams past it gets {@code GOAWAY
     * ENHANCE_YOUR_CALM} (MadeYouReset, CVE-2025-55163), as one that resets them itself does (rapid reset).
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2Exception.StreamException error && !refused) {
            refused = true;
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(error.error()));
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Http2Exception {
        if (!refused && msg instanceof Http2HeadersFrame frame && H2HeaderCheck.problem(frame.headers()) != null) {
            refused = true;
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR))
                    .addListener(ChannelFutureListener.CLOSE);
        }
        if (refused) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof Http2HeadersFrame frame) {
            headers(ctx, frame);
        } else if (msg instanceof Http2DataFrame data) {
            forward(
                    ctx,
                    data.isEndStream()
                            ? new DefaultLastHttpContent(data.content())
                            : new DefaultHttpContent(data.content()));
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void headers(ChannelHandlerContext ctx, Http2HeadersFrame frame) throws Http2Exception {
        Http2Headers headers = frame.headers();
        int id = frame.stream() == null ? 0 : frame.stream().id();
        if (headSeen && frame.isEndStream() && headers.method() == null) {
            LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            HttpConversionUtil.addHttp2ToHttpHeaders(
                    id, headers, last.trailingHeaders(), HttpVersion.HTTP_1_1, true, true);
            removeConversionFields(last.trailingHeaders());
            forward(ctx, last);
            return;
        }
        headSeen = true;
        HttpRequest request;
        try {
            request = H2Heads.request(id, headers); // no :method: stream error
        } catch (IllegalArgumentException e) { // a head H2HeaderCheck let through but Netty cannot convert
            throw Http2Exception.streamError(id, Http2Error.PROTOCOL_ERROR, e, "malformed request head");
        }
        String uri = request.uri();
        if (!uri.startsWith("/") && !uri.equals("*") && !HttpMethod.CONNECT.equals(request.method())) {
            // RFC 9113 §8.3.1: :path is origin-form (or * for OPTIONS); an absolute URI there would route by a host
            // other than :authority. Malformed: a stream error (§8.1.1), as nginx refuses it.
            throw Http2Exception.streamError(id, Http2Error.PROTOCOL_ERROR, ":path is not origin-form");
        }
        if (!frame.isEndStream() && !HttpUtil.isContentLengthSet(request)) {
            request.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        holding = true; // a second head is held too; the exchange closes the stream on it
        queue.add(request);
        if (frame.isEndStream()) {
            queue.add(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        batch.afterBatch(ctx, endHold);
    }

    private void forward(ChannelHandlerContext ctx, HttpObject object) {
        queue.add(object);
        if (demand && !holding) {
            demand = false;
            deliver(ctx);
        }
    }

    /** The read batch that brought the head is over: a stream reset meanwhile drops what it sent, unforwarded. */
    private void endHold() {
        ChannelHandlerContext ctx = this.ctx;
        holding = false;
        if (!ctx.channel().isActive()) {
            releaseQueued();
        } else if (demand && !queue.isEmpty()) {
            demand = false;
            deliver(ctx);
        }
    }

    /** The next message, queued or read from the child channel. */
    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!holding && !queue.isEmpty()) {
            deliver(ctx);
        } else {
            demand = true;
            ctx.read();
            // The stream channel writes the WINDOW_UPDATE for what was read before when a read is asked for, but
            // flushes it only if that read finds nothing queued: asked while a read is pending, the update stays in
            // the connection's buffer, and a connection whose every stream waits for data that only such an update
            // lets the client send is stuck until the body timeout. A no-op when nothing was written; during the
            // connection's read batch, deferred to its end.
            ctx.flush();
        }
    }

    /** Hands on the next message; read-complete follows once the queue is empty (once, however nested). */
    private void deliver(ChannelHandlerContext ctx) {
        HttpObject msg = queue.poll();
        if (msg == null) {
            return;
        }
        depth++;
        try {
            ctx.fireChannelRead(msg);
        } finally {
            depth--;
        }
        if (depth == 0 && queue.isEmpty()) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (queue.isEmpty()) {
            ctx.fireChannelReadComplete(); // otherwise deliver() signals it when the queue runs empty
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseQueued();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseQueued();
    }

    private void releaseQueued() {
        for (HttpObject msg; (msg = queue.poll()) != null; ) {
            ReferenceCountUtil.release(msg);
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
            ChannelPromise headPromise = Objects.requireNonNull(pendingPromise, "a pending head has a promise");
            pendingHead = null;
            pendingPromise = null;
            last.release();
            ctx.write(new DefaultHttp2HeadersFrame(headersOf(response), true), promise.unvoid())
                    .addListener(new PromiseNotifier<Void, ChannelFuture>(headPromise));
            return;
        }
        writePendingHead(ctx);
        if (msg instanceof HttpResponse response && !(msg instanceof FullHttpResponse)) {
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                interimEnd = true;
                ctx.write(new DefaultHttp2HeadersFrame(headersOf(response), false), promise);
            } else {
                pendingHead = response;
                pendingPromise = promise.unvoid();
            }
        } else if (msg instanceof FullHttpResponse full && full.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            Http2Headers interim = headersOf(full); // Usher's own 100 Continue: an interim head never ends the stream
            full.release();
            ctx.write(new DefaultHttp2HeadersFrame(interim, false), promise);
        } else if (msg instanceof FullHttpResponse full) {
            boolean empty =
                    !full.content().isReadable() && full.trailingHeaders().isEmpty();
            if (empty) {
                full.release();
                ctx.write(new DefaultHttp2HeadersFrame(headersOf(full), true), promise);
            } else {
                PromiseCombiner all = new PromiseCombiner(ctx.executor());
                all.add(ctx.write(new DefaultHttp2HeadersFrame(headersOf(full), false)));
                writeEnd(ctx, full, false, all);
                all.finish(promise);
            }
        } else if (interimEnd && msg instanceof LastHttpContent last) {
            interimEnd = false;
            last.release();
            promise.setSuccess();
        } else if (msg instanceof LastHttpContent last) {
            PromiseCombiner all = new PromiseCombiner(ctx.executor());
            writeEnd(ctx, last, true, all);
            all.finish(promise);
        } else if (msg instanceof HttpContent content) {
            ctx.write(new DefaultHttp2DataFrame(content.content(), false), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    /**
     * The end of a message: its content as DATA (always, when {@code filler} and there are no trailers, so that the
     * stream ends), then its trailers as HEADERS with END_STREAM. Takes over {@code last}'s buffer.
     */
    private static void writeEnd(ChannelHandlerContext ctx, LastHttpContent last, boolean filler, PromiseCombiner all) {
        HttpHeaders trailers = last.trailingHeaders();
        if (last.content().isReadable() || (filler && trailers.isEmpty())) {
            all.add(ctx.write(new DefaultHttp2DataFrame(last.content(), trailers.isEmpty())));
        } else {
            last.release();
        }
        if (!trailers.isEmpty()) {
            all.add(ctx.write(new DefaultHttp2HeadersFrame(H2ResponseHeads.trailers(trailers), true)));
        }
    }

    private static Http2Headers headersOf(HttpResponse response) {
        return H2ResponseHeads.response(response);
    }

    private void writePendingHead(ChannelHandlerContext ctx) {
        HttpResponse response = pendingHead;
        if (response != null) {
            pendingHead = null;
            ChannelPromise promise = Objects.requireNonNull(pendingPromise, "a pending head has a promise");
            pendingPromise = null;
            ctx.write(new DefaultHttp2HeadersFrame(headersOf(response), false), promise);
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
