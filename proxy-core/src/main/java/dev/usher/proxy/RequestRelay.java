package dev.usher.proxy;

import dev.usher.routing.Endpoint;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The client-to-origin half of an {@link Exchange}: the request body read from the client, either buffered whole
 * into a {@link BufferedBody} before an origin connection is acquired or streamed with backpressure (a chunk is read
 * from the client only after the previous one was handed to a writable origin), and the request written to the
 * origin connection of each attempt. Every chunk it is given is kept, written on or released. Runs on the exchange's
 * event loop.
 */
final class RequestRelay {

    private final Exchange exchange;
    private final ClientConnection conn;
    private final HttpRequest request;
    private final RequestRecord record;
    private final ExchangeTimers timers;
    private final long maxBodyBytes;
    private final boolean bodyless;
    /** {@link #alreadyRead()}: nothing of the client is this request's. */
    private boolean alreadyRead;

    private final boolean replayable;
    private final @Nullable BufferedBody body; // null: body-less, upgrade, or streamed (request buffering off)
    private final ChannelFutureListener sent = this::flushed;
    private @Nullable Channel origin;
    private long bodyBytes;
    private boolean complete;
    private boolean flushed;
    private boolean waitingOrigin;
    private boolean hostAdded;
    /** sendBodyless(): the head waits for its end, to leave with it. */
    private boolean headHeld;

    RequestRelay(
            Exchange exchange,
            ClientConnection conn,
            ProxyContext context,
            HttpRequest request,
            RequestRecord record,
            ExchangeTimers timers,
            boolean bodyless,
            boolean buffered,
            boolean upgrade,
            long maxBodyBytes) {
        this.exchange = exchange;
        this.conn = conn;
        this.request = request;
        this.record = record;
        this.timers = timers;
        this.maxBodyBytes = maxBodyBytes; // the route's proxy-body-size, else the global limit; 0 = unlimited
        this.bodyless = bodyless;
        this.body = bodyless || upgrade || !buffered
                ? null
                : new BufferedBody(
                        conn.ctx.executor(),
                        context.spool(),
                        conn.ctx.alloc(),
                        context.settings().clientBodyBufferSize());
        this.replayable = (bodyless || body != null) && !upgrade;
    }

    /** The body read whole before an origin connection is acquired, or {@code null} when it is not buffered. */
    @Nullable
    BufferedBody bufferedBody() {
        return body;
    }

    /** Whether the body is read whole before an origin connection is acquired. */
    boolean buffers() {
        return body != null;
    }

    /** Whether the request can be sent again: body-less or buffered, and no upgrade. */
    boolean replayable() {
        return replayable;
    }

    /**
     * This is an error page's request (custom-http-errors): the client's request was read by the exchange before, so
     * this one has no body to read, and the client's empty end, if it is still on its way, is dropped.
     */
    void alreadyRead() {
        complete = true;
        alreadyRead = true;
    }

    /** Whether the client's request was read to its end. */
    boolean complete() {
        return complete;
    }

    /** Whether the whole request was flushed on the current origin connection. */
    boolean flushed() {
        return flushed;
    }

    /**
     * The client connection can take another request once this one was read to its end; a body-less request's empty
     * end may still be queued, and the client handler skips it.
     */
    boolean clientReusable() {
        return complete || bodyless;
    }

    /** Starts reading the body to buffer it. */
    void startBuffering() {
        if (HttpUtil.is100ContinueExpected(request)) {
            // RFC 9110 §10.1.1: Usher reads the body itself, so it invites it; the origin gets the body, not the
            // expectation (nginx does the same).
            request.headers().remove(HttpHeaderNames.EXPECT);
            conn.headRequest(false);
            conn.ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        conn.read();
    }

    /** An attempt's origin connection is attached: the head, then the body as far as it is known. */
    void sendTo(Channel to, Endpoint endpoint) {
        origin = to;
        flushed = false; // set by the last request write on this connection (a retry starts over)
        if (hostAdded || !request.headers().contains(HttpHeaderNames.HOST)) {
            hostAdded = true; // an HTTP/1.0 client sent none; 1.1 needs one: this attempt's endpoint
            request.headers().set(HttpHeaderNames.HOST, endpoint.toString());
        }
        if (body != null) {
            sendBuffered();
            return;
        }
        if (bodyless) {
            sendBodyless(origin);
            return;
        }
        origin.write(request);
        origin.read(); // before conn.read(): reading the client may end this exchange at once (a bad chunk size)
        origin.flush();
        conn.read();
    }

    /**
     * A body-less request leaves as one message, head and end together: one write through the origin's pipeline, one
     * promise and one buffer, where the head and its empty end took two. The HTTP/1 decoder hands the end over right
     * after the head, in the same read, and {@link #onContent} sends both. An HTTP/2 stream's end comes with its head
     * (read here) or with a later frame: a stream the client has not ended gets its head sent now, as nginx answers a
     * request whose length is 0 without waiting for the stream's end.
     */
    private void sendBodyless(Channel origin) {
        origin.read();
        if (complete) { // a retry: the body-less request is replayed
            origin.writeAndFlush(whole()).addListener(sent);
            timers.armResponse();
            return;
        }
        headHeld = true;
        conn.read();
        if (headHeld && conn.encoder == null && this.origin == origin) { // HTTP/2 (no HTTP/1 encoder): not ended yet
            headHeld = false;
            origin.writeAndFlush(request);
        }
    }

    /** The body-less request, head and empty end in one message; its fields are the request's own, not a copy. */
    private FullHttpRequest whole() {
        // false: not checked again here; the encoder writes this line as it wrote the head alone
        return new DefaultFullHttpRequest(
                request.protocolVersion(),
                request.method(),
                request.uri(),
                Unpooled.EMPTY_BUFFER,
                request.headers(),
                LastHttpContent.EMPTY_LAST_CONTENT.trailingHeaders(),
                false);
    }

    /** The whole buffered body goes upstream with a length (RFC 9112 §6.2), as nginx sends it, then the response. */
    private void sendBuffered() {
        BufferedBody body = Objects.requireNonNull(this.body, "sendTo saw one");
        Channel origin = Objects.requireNonNull(this.origin, "set by sendTo");
        HttpUtil.setTransferEncodingChunked(request, false);
        HttpUtil.setContentLength(request, body.size());
        origin.write(request);
        try {
            body.writeTo(origin).addListener(sent);
        } catch (UncheckedIOException e) {
            exchange.fail(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot read the buffered request body");
            return;
        }
        timers.armResponse();
        origin.read();
    }

    private void flushed(ChannelFuture f) {
        if (f.channel() == origin) {
            flushed = f.isSuccess();
        }
    }

    /** A request body chunk (or its end) from the client; {@code state} is the exchange's, not terminal. */
    void onContent(HttpContent content, ExchangeState state) {
        if (alreadyRead) {
            content.release(); // the replaced request's empty end
            return;
        }
        if (state == ExchangeState.CONNECTING && body == null) {
            // A retry is connecting, which only body-less requests do while the client is still read: this is their
            // empty end, replayed by sendTo() once the next connection is up.
            complete |= content instanceof LastHttpContent;
            content.release();
            return;
        }
        if (!admit(content)) {
            return;
        }
        if (state == ExchangeState.BUFFERING) {
            // Kept whole; once the end arrived, an origin connection is acquired (buffered()).
            boolean last = content instanceof LastHttpContent;
            Objects.requireNonNull(body, "BUFFERING has a body")
                    .append(content.content(), last ? this::buffered : conn::read, this::bufferFailed);
        } else if (content instanceof LastHttpContent last) {
            complete = true;
            Channel origin = Objects.requireNonNull(this.origin, "streaming: the origin is attached");
            if (headHeld) { // sendBodyless(): the end of a body-less request, which has no content and no trailers
                headHeld = false;
                last.release();
                origin.writeAndFlush(whole()).addListener(sent);
            } else {
                origin.writeAndFlush(withoutTrailers(last)).addListener(sent);
            }
            exchange.requestEnded();
        } else {
            Channel origin = Objects.requireNonNull(this.origin, "streaming: the origin is attached");
            origin.writeAndFlush(content);
            if (origin.isWritable()) {
                conn.read();
            } else {
                waitingOrigin = true;
            }
        }
    }

    /**
     * The end of a streamed body without the client's trailer fields, as nginx and Envoy drop them (a buffered body
     * drops them too): an origin that merges trailers into the head would otherwise read a client's
     * {@code X-Forwarded-For} or {@code X-Real-IP} there, after Usher set the real ones.
     */
    private static LastHttpContent withoutTrailers(LastHttpContent last) {
        return last.trailingHeaders().isEmpty() ? last : new DefaultLastHttpContent(last.content());
    }

    /**
     * Counts a body chunk, buffered or streamed, against the timers and the body limit (the route's, else
     * {@link ProxySettings#maxRequestBodyBytes()}).
     * Returns false, with the chunk released and the exchange aborted, when it is malformed or crosses the limit (a
     * body crossing it is refused before its chunk is kept or sent).
     */
    private boolean admit(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            exchange.abort(HttpResponseStatus.BAD_REQUEST, "malformed request body");
            return false;
        }
        timers.progress();
        int size = content.content().readableBytes();
        bodyBytes += size;
        record.bytesIn(size);
        if (maxBodyBytes > 0 && bodyBytes > maxBodyBytes) {
            content.release();
            exchange.abort(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body over " + maxBodyBytes + " bytes");
            return false;
        }
        return true;
    }

    private void buffered() {
        complete = true;
        timers.progress();
        exchange.bodyBuffered();
    }

    private void bufferFailed(IOException e) {
        if (e instanceof BufferedBody.SpoolFull) {
            exchange.abort(
                    HttpResponseStatus.SERVICE_UNAVAILABLE, "request body buffer space exhausted, try again later");
        } else {
            exchange.abort(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot buffer the request body");
        }
    }

    /** The origin connection became writable: resume reading the client if it was paused for it. */
    void originWritable() {
        if (waitingOrigin && origin != null && origin.isWritable()) { // waiting on one, so there is one
            waitingOrigin = false;
            timers.progress();
            conn.read();
        }
    }

    /** The origin holds back the body (its write buffer is full). */
    boolean waitingOrigin() {
        return waitingOrigin;
    }

    /** The client owes body bytes that Usher is ready to take (not held back by the origin or the disk). */
    boolean waitingOnClientBody() {
        return !complete && !waitingOrigin && (body == null || !body.writing());
    }

    /** Frees the buffered body, in memory or on disk, and forgets a held head (the exchange ended). Idempotent. */
    void release() {
        headHeld = false;
        if (body != null) {
            body.release();
        }
    }
}
