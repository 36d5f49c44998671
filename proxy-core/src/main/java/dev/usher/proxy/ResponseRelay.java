package dev.usher.proxy;

import dev.usher.routing.ResponseRate;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * The origin-to-client half of an {@link Exchange}: interim responses, the rewritten head, and the body relayed with
 * backpressure (flush once per origin read batch, read the origin again only while the client is writable). Every
 * message it is given is written on or released. Runs on the exchange's event loop.
 */
final class ResponseRelay {

    private final Exchange exchange;
    private final ClientConnection conn;
    private final ChannelHandlerContext ctx;
    private final RequestRecord record;
    private final ExchangeTimers timers;
    private final ProxyContext context;
    private final boolean head;
    private final boolean http10;
    private final boolean upgrade;
    private boolean originKeepAlive;
    private boolean skipInterimEnd;
    private boolean interimSent;
    private boolean waitingClient;
    private int status;
    /** limit-rate: the pace of the body, or null (most routes: one null check per origin read batch and chunk). */
    private final @Nullable ResponsePacing pacing;
    /** A paced response's end was read (and is held): whatever the origin sends after it is dropped. */
    private boolean ended;
    /**
     * The response head, held until the body's first part or the end of the origin read that brought it: a response
     * whose end arrives with it (most small ones) is written as one message, which the encoder puts in one buffer -
     * one write and one system call without an iovec array, instead of two writes through the pipeline.
     */
    private @Nullable HttpResponse heldHead;

    ResponseRelay(
            Exchange exchange,
            ClientConnection conn,
            RequestRecord record,
            ExchangeTimers timers,
            ProxyContext context,
            boolean head,
            boolean http10,
            boolean upgrade,
            @Nullable ResponseRate rate) {
        this.exchange = exchange;
        this.conn = conn;
        this.ctx = conn.ctx;
        this.record = record;
        this.timers = timers;
        this.context = context;
        this.head = head;
        this.http10 = http10;
        this.upgrade = upgrade;
        this.pacing = rate == null
                ? null
                : new ResponsePacing(
                        this, ctx.executor(), context.pools(ctx.channel().eventLoop())::now, rate);
    }

    int status() {
        return status;
    }

    /** Whether the origin allows reusing its connection after this response (RFC 9112 §9.3). */
    boolean originKeepAlive() {
        return originKeepAlive;
    }

    /** Whether an interim (1xx) response went to the client: bytes of the response reached it. */
    boolean interimSent() {
        return interimSent;
    }

    /** Whether the relay waits for the client to take what was written. */
    boolean waitingClient() {
        return waitingClient;
    }

    /** A message decoded from the origin. */
    void onMessage(Object msg) {
        if (ended) {
            // Bytes after the response's end, in the read batch that ended it (paced: the exchange is not complete
            // yet, so the decoder was not told to expect nothing): the connection is never reused.
            ReferenceCountUtil.release(msg);
            originKeepAlive = false;
            return;
        }
        if (msg instanceof HttpResponse response) {
            onHead(response);
        }
        if (msg instanceof HttpContent content) {
            onContent(content);
        } else if (!(msg instanceof HttpResponse)) {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * What makes an origin's head unusable beyond what the decoder checks, as nginx judges it (502): a status that is
     * not three digits, or a {@code Transfer-Encoding} other than exactly {@code chunked} (re-chunking {@code gzip,
     * chunked} would hand the client a gzip body it was never told of).
     */
    static @Nullable String framingProblem(HttpResponse response) {
        int code = response.status().code();
        if (code < 100 || code > 999) {
            return "origin status " + code + " is not three digits";
        }
        if (response.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
                && !HeaderRules.chunkedOnly(response.headers())) {
            return "origin's Transfer-Encoding is not just chunked";
        }
        return null;
    }

    private void onHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            exchange.originBroken(ProxyMetrics.UpstreamError.MALFORMED, "malformed origin response");
            return;
        }
        record.upstreamResponded();
        if (HeaderRules.namesProtected(response.headers(), HeaderRules.RESPONSE_PROTECTED) != null) {
            // Honouring it would strip the framing and send an unframed body on a keep-alive client connection.
            exchange.originBroken(ProxyMetrics.UpstreamError.MALFORMED, "origin's Connection names a framing field");
            return;
        }
        String framing = framingProblem(response);
        if (framing != null) {
            exchange.originBroken(ProxyMetrics.UpstreamError.MALFORMED, framing);
            return;
        }
        int code = response.status().code();
        if (code == 101) {
            if (upgrade) {
                status = 101;
                exchange.rewriteOriginFields(response); // nginx edits a 101's fields as any other's
                exchange.editFields(response); // and its header directives (add_header only with always)
                exchange.switchProtocols(response);
            } else {
                exchange.originBroken(ProxyMetrics.UpstreamError.MALFORMED, "unexpected 101 from origin");
            }
            return;
        }
        if (code < 200) {
            skipInterimEnd = true; // the decoder ends every 1xx with an empty LastHttpContent; it is not the body's end
            if (!http10) { // RFC 9110 §15.2: no 1xx to an HTTP/1.0 client
                ResponseHeads.interim(response);
                conn.headRequest(false);
                ctx.write(response);
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                interimSent = true;
            }
            return;
        }
        if (!interimSent && exchange.retryOnStatus(code)) {
            return; // discarded for another attempt; its body is released with the closed connection
        }
        if (!interimSent && exchange.errorPage(code)) {
            return; // custom-http-errors: discarded with its connection, the error backend answers instead
        }
        exchange.responseStarted();
        if (pacing != null) {
            pacing.start();
        }
        status = code;
        originKeepAlive = HttpUtil.isKeepAlive(response) && framed(response, code);
        exchange.keepAlive(ResponseHeads.prepare(response, head, http10, exchange.keepAlive() && !context.draining()));
        exchange.rewriteOriginFields(response);
        exchange.addRouteFields(response);
        if (conn.tls) {
            ResponseHeads.addHsts(response, context.settings().hsts());
        }
        exchange.editFields(response);
        conn.headRequest(head);
        heldHead = response;
    }

    /**
     * Whether the response's end is known from its head (RFC 9112 §6.3): no body, a length, or chunks. A body
     * delimited by the origin closing the connection never leaves it reusable, whatever the head says.
     */
    private boolean framed(HttpResponse response, int code) {
        return head
                || code == 204
                || code == 304
                || HttpUtil.isTransferEncodingChunked(response)
                || response.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
    }

    private void onContent(HttpContent content) {
        if (skipInterimEnd && content instanceof LastHttpContent) {
            skipInterimEnd = false;
            content.release();
            return;
        }
        if (exchange.state() != ExchangeState.RELAYING) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            exchange.originBroken(ProxyMetrics.UpstreamError.MALFORMED, "malformed origin response body");
            return;
        }
        HttpResponse held = heldHead;
        if (held != null) {
            heldHead = null;
            if (pacing == null
                    && content instanceof LastHttpContent last
                    && !held.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
                record.bytesOut(last.content().readableBytes());
                exchange.complete(ctx.writeAndFlush(new DefaultFullHttpResponse(
                        held.protocolVersion(),
                        held.status(),
                        last.content(),
                        held.headers(),
                        last.trailingHeaders())));
                return;
            }
            ctx.write(held);
        }
        if (pacing != null) {
            ended = content instanceof LastHttpContent;
            pacing.offer(content); // sends what the rate allows now, holds the rest of this read batch
        } else {
            send(content);
        }
    }

    /** Writes a body part to the client; the last one completes the exchange. */
    void send(HttpContent content) {
        record.bytesOut(content.content().readableBytes());
        if (content instanceof LastHttpContent) {
            exchange.complete(ctx.writeAndFlush(content));
        } else {
            ctx.write(content);
        }
    }

    /**
     * End of an origin read batch: flush to the client, and read more only if the client can take it (and, with a
     * {@code limit-rate}, once the pace allows: the pacing task resumes it).
     */
    void readComplete(Channel origin) {
        writeHeldHead();
        ctx.flush();
        if (pacing != null && pacing.mustWait()) {
            pacing.pause();
        } else if (ctx.channel().isWritable()) {
            timers.progress();
            origin.read();
        } else {
            waitingClient = true;
        }
    }

    /** The client drained its buffer: resume the origin (or the paced parts) if it was paused for it. */
    void clientWritable(@Nullable Channel origin) {
        if (waitingClient && ctx.channel().isWritable()) {
            waitingClient = false;
            timers.progress();
            if (pacing != null && pacing.mustWait()) {
                pacing.pause();
            } else if (origin != null) {
                origin.read();
            }
        }
    }

    /**
     * The pacing task: the credit grew. Usher's own pause never counts against the client's send timeout, so the
     * clock restarts here; a client that cannot take more now is waited for as usual ({@link #clientWritable}).
     */
    void paced() {
        if (exchange.state() != ExchangeState.RELAYING) {
            return;
        }
        timers.progress();
        if (!ctx.channel().isWritable()) {
            waitingClient = true;
            return;
        }
        ResponsePacing p = java.util.Objects.requireNonNull(pacing, "only a paced relay has a pacing task");
        p.drain(); // the last part completes the exchange
        if (exchange.state() != ExchangeState.RELAYING) {
            return;
        }
        ctx.flush();
        Channel origin = exchange.originChannel();
        if (p.mustWait() || origin == null) {
            p.pause();
        } else {
            origin.read();
        }
    }

    /** Whether the paced relay holds the response's end: the origin may close, the client still gets it all. */
    boolean holdsEnd() {
        return pacing != null && pacing.holdsEnd();
    }

    private void writeHeldHead() {
        HttpResponse held = heldHead;
        if (held != null) {
            heldHead = null;
            ctx.write(held);
        }
    }

    /** The exchange ended: the pacing task is cancelled and held parts released (a held head holds no buffer). */
    void stop() {
        heldHead = null;
        if (pacing != null) {
            pacing.stop();
        }
    }
}
