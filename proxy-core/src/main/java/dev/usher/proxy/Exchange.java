package dev.usher.proxy;

import dev.usher.routing.Endpoint;
import dev.usher.routing.Route;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * One proxied request and its response, streamed both ways with backpressure; its life is an
 * {@link ExchangeState}, moved only through {@link #moveTo}, which refuses any transition outside the table.
 *
 * <p>Design: the client connection, the borrowed origin connection and this object all live on one event loop, so
 * nothing here is synchronized. Both channels have auto-read off. The request half ({@link RequestRelay}) reads a
 * chunk from the client only after the previous one was handed to a writable origin; the response half
 * ({@link ResponseRelay}) reads a batch from the origin only after the previous one was flushed to a writable client;
 * writability changes resume the paused side. At most one socket read and the write-buffer high water mark are in
 * memory per direction, whatever the body size. Which endpoint each attempt goes to is {@link Attempts}' choice.
 *
 * <p>Request buffering ({@link ExchangeState#BUFFERING}, see {@link RequestRelay}) reads a body whole before the
 * first attempt, so a slow upload holds no origin connection.
 *
 * <p>Failure rules: nothing reached the client yet ({@link ExchangeState#beforeResponse()}), so Usher answers (502,
 * 503, 504; a stale pooled connection is retried once for idempotent requests that are body-less or buffered, since
 * those can be replayed); or the response has started ({@link ExchangeState#RELAYING}), so the client connection is
 * closed, the only honest signal left. The origin connection goes back to its pool only after a clean, complete
 * exchange whose request was fully flushed.
 */
final class Exchange {

    private final ClientHandler client;
    private final ClientConnection conn;
    private final ChannelHandlerContext ctx;
    private final ProxyContext context;
    private final HttpRequest request;
    private final RequestRecord record;
    private final Attempts attempts;
    private final boolean head;
    private final ExchangeTimers timers;
    private final RequestRelay requestRelay;
    private final ResponseRelay response;
    private ExchangeState state;
    private boolean keepAlive;
    private OriginLease origin; // the current attempt's connection, null while there is none

    Exchange(ClientHandler client, ClientConnection conn, ProxyContext context, HttpRequest request,
            Admission.Decision decision, RequestRecord record) {
        this.client = client;
        this.conn = conn;
        this.ctx = conn.ctx;
        this.context = context;
        this.request = request;
        this.record = record;
        this.keepAlive = decision.keepAlive();
        this.head = HttpMethod.HEAD.equals(request.method());
        boolean http10 = request.protocolVersion() == HttpVersion.HTTP_1_0; // before prepare() makes it 1.1
        Route route = decision.route();
        // Admission's one read of the endpoints: every attempt walks this same, non-empty list
        this.attempts = new Attempts(this, context, context.pools(ctx.channel().eventLoop()), record,
                route.backend().ref(), decision.endpoints());
        boolean upgrade = RequestHeads.prepare(request, route, decision.target(), record, conn, context.settings());
        this.timers = new ExchangeTimers(ctx.executor(), context.settings(), this::responseTimeout,
                this::waitingOnClientBody, this::waitingOnClientRead,
                () -> stalled(HttpResponseStatus.REQUEST_TIMEOUT, "client too slow"), // closes if a response started
                this::waitingOnOrigin,
                () -> stalled(HttpResponseStatus.GATEWAY_TIMEOUT, "origin stopped reading the request"));
        this.requestRelay = new RequestRelay(this, conn, context, request, record, timers, !decision.hasBody(),
                route.requestBuffering(), upgrade);
        this.response = new ResponseRelay(this, conn, record, timers, context, head, http10, upgrade);
        this.state = requestRelay.buffers() ? ExchangeState.BUFFERING : ExchangeState.CONNECTING;
    }

    void start() {
        if (!requestRelay.buffers()) {
            connect(false);
            return;
        }
        timers.startWatchdog(); // clientBodyTimeout between reads while the body is buffered
        requestRelay.startBuffering();
    }

    private void moveTo(ExchangeState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("exchange cannot move from " + state + " to " + next);
        }
        state = next;
    }

    private void connect(boolean fresh) {
        moveTo(ExchangeState.CONNECTING);
        attempts.connect(fresh);
    }

    /** Whether an attempt waits for its origin connection (else the exchange ended meanwhile). */
    boolean connecting() {
        return state == ExchangeState.CONNECTING;
    }

    /** The current attempt has its origin connection: the request goes out. */
    void attached(Channel channel, OriginPool from, Endpoint endpoint) {
        origin = OriginLease.attach(channel, from, this, head);
        timers.startWatchdog();
        moveTo(requestRelay.complete() ? ExchangeState.AWAITING_RESPONSE : ExchangeState.SENDING);
        requestRelay.sendTo(channel, endpoint);
    }

    /** The next attempt, after the last one could not connect. */
    void nextAttempt() {
        connect(false);
    }

    /** A request body chunk (or its end) from the client. */
    void requestContent(HttpContent content) {
        if (state.terminal()) {
            content.release();
        } else {
            requestRelay.onContent(content, state);
        }
    }

    /** The buffered body is whole: the first attempt starts. */
    void bodyBuffered() {
        if (state == ExchangeState.BUFFERING) {
            connect(false);
        }
    }

    /** The client's request was read to its end and handed to the origin: the response clock starts. */
    void requestEnded() {
        if (state == ExchangeState.SENDING) {
            moveTo(ExchangeState.AWAITING_RESPONSE);
        }
        if (state == ExchangeState.AWAITING_RESPONSE) {
            timers.armResponse();
        }
    }

    /** A message decoded from the origin. */
    void originRead(Object msg) {
        if (state.terminal()) {
            ReferenceCountUtil.release(msg);
        } else {
            response.onMessage(msg);
        }
    }

    void originReadComplete() {
        if (!state.terminal() && origin != null) {
            response.readComplete(origin.channel);
        }
    }

    void clientWritabilityChanged() {
        if (!state.terminal() && origin != null) {
            response.clientWritable(origin.channel);
        }
    }

    void originWritabilityChanged() {
        if (!state.terminal() && origin != null) {
            requestRelay.originWritable();
        }
    }

    /** The final response head goes to the client: from now on a failure can only close the client connection. */
    void responseStarted() {
        moveTo(ExchangeState.RELAYING);
        timers.cancelResponse();
    }

    /** Whether the response head went to the client and the exchange is not over. */
    boolean relaying() {
        return state == ExchangeState.RELAYING;
    }

    /** A 101 answered the upgrade request: the exchange ends and the connections become a tunnel. */
    void switchProtocols(HttpResponse switching) {
        moveTo(ExchangeState.UPGRADED);
        timers.cancelAll();
        record.finish(101);
        UpgradeTunnel.splice(client, conn, switching, origin.channel, origin.pool(), context.settings());
    }

    boolean keepAlive() {
        return keepAlive;
    }

    void keepAlive(boolean keep) {
        this.keepAlive = keep;
    }

    /** The last response byte was handed to the client. */
    void complete(ChannelFuture lastWrite) {
        moveTo(ExchangeState.COMPLETE);
        timers.cancelAll();
        // RFC 9112 §9.3: reuse only after a complete exchange the origin did not ask to end.
        if (requestRelay.complete() && requestRelay.flushed() && response.originKeepAlive()) {
            origin.finish();
            origin = null;
        } else {
            dropOrigin();
        }
        int status = response.status();
        if (status >= 502 && status <= 504) {
            attempts.failed(Outliers.Reason.GATEWAY_ERROR);
        } else {
            attempts.succeeded();
        }
        requestRelay.release();
        record.finish(status);
        client.exchangeDone(keepAlive && requestRelay.clientReusable(), lastWrite);
    }

    /** The origin connection closed or failed while this exchange held it. */
    void originClosed(Throwable cause) {
        if (state.terminal()) {
            return;
        }
        boolean stale = origin.reused();
        dropOrigin();
        if (state.beforeResponse() && stale
                && attempts.staleRetry(requestRelay.replayable() && Requests.idempotent(request.method()))) {
            timers.cancelAll(); // RFC 9110 §9.2.2: an idempotent request on a connection the origin had closed
            connect(true);
            return;
        }
        context.metrics().upstreamError(ProxyMetrics.UpstreamError.RESET);
        attempts.failed(Outliers.Reason.RESET);
        fail(HttpResponseStatus.BAD_GATEWAY, "origin closed the connection");
    }

    /** The client went away: the origin connection is closed, never pooled mid-exchange. */
    void clientClosed() {
        if (state.terminal()) {
            return;
        }
        moveTo(ExchangeState.CLIENT_GONE);
        timers.cancelAll();
        requestRelay.release();
        dropOrigin();
        record.finish(499);
    }

    void originBroken(ProxyMetrics.UpstreamError reason, String detail) {
        context.metrics().upstreamError(reason);
        fail(HttpResponseStatus.BAD_GATEWAY, detail);
    }

    /** The request itself is bad mid-body (bad chunk, too large): answer if still possible, close either way. */
    void abort(HttpResponseStatus error, String detail) {
        keepAlive = false;
        fail(error, detail);
    }

    /** Ends the exchange with Usher's own response, or by closing the client when a response already started. */
    void fail(HttpResponseStatus error, String detail) {
        boolean started = state == ExchangeState.RELAYING;
        moveTo(ExchangeState.FAILED);
        timers.cancelAll();
        requestRelay.release();
        dropOrigin();
        if (started) {
            record.finish(response.status());
            ctx.close();
            return;
        }
        boolean keep = keepAlive && requestRelay.clientReusable();
        conn.encoder.headRequest(head);
        ChannelFuture written = ctx.writeAndFlush(ErrorResponses.of(ctx.alloc(), error, detail, head, !keep));
        record.finish(error.code());
        client.exchangeDone(keep, written);
    }

    private void dropOrigin() {
        if (origin != null) {
            origin.discard();
            origin = null;
        }
    }

    private void responseTimeout() {
        if (state.beforeResponse()) {
            context.metrics().upstreamError(ProxyMetrics.UpstreamError.TIMEOUT);
            fail(HttpResponseStatus.GATEWAY_TIMEOUT, "origin did not answer in time");
        }
    }

    private boolean waitingOnClientBody() {
        return !state.terminal() && requestRelay.waitingOnClientBody();
    }

    private boolean waitingOnClientRead() {
        return !state.terminal() && response.waitingClient();
    }

    private boolean waitingOnOrigin() {
        return !state.terminal() && requestRelay.waitingOrigin();
    }

    /** The client, or the origin taking the request body, made no progress for too long. */
    private void stalled(HttpResponseStatus status, String detail) {
        if (!state.terminal()) {
            keepAlive = false;
            if (status == HttpResponseStatus.GATEWAY_TIMEOUT) {
                context.metrics().upstreamError(ProxyMetrics.UpstreamError.TIMEOUT);
            }
            fail(status, detail);
        }
    }
}
