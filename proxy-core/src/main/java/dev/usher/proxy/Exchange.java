package dev.usher.proxy;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.Route;
import dev.usher.routing.Upstream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/**
 * One proxied request and its response, streamed both ways with backpressure.
 *
 * <p>Design: the client connection, the borrowed origin connection and this object all live on one event loop, so
 * nothing here is synchronized. Both channels have auto-read off. A request chunk is read from the client only after
 * the previous one was handed to a writable origin; a response batch is read from the origin only after the previous
 * one was flushed to a writable client; writability changes resume the paused side. At most one socket read and the
 * write-buffer high water mark are in memory per direction, whatever the body size.
 *
 * <p>Request buffering (the default, nginx's {@code proxy_request_buffering}): a request with a body is read whole into
 * a {@link BufferedBody} before an origin connection is acquired, so a slow or stalled upload holds no origin
 * connection; the body then goes upstream with a {@code Content-Length} (a chunked upload too, as nginx sends it). A
 * route with {@code request-buffering: off}, and upgrade requests, stream the body instead.
 *
 * <p>Failure rules: nothing reached the client yet, so Usher answers (502, 503, 504; a stale pooled connection is
 * retried once for idempotent requests that are body-less or buffered, since those can be replayed); or the response
 * has started, so the client connection is closed, the only honest signal left. The origin connection goes back to
 * its pool only after a clean, complete exchange whose request was fully flushed.
 */
final class Exchange {

    private final ClientHandler client;
    private final ClientConnection conn;
    private final ChannelHandlerContext ctx;
    private final ProxyContext context;
    private final HttpRequest request;
    private final RequestRecord record;
    private final OriginPools pools;
    private final List<Endpoint> endpoints; // the ones not ejected (all if every one is), walked by retries
    private final List<Endpoint> all; // the backend's endpoints, for the outlier ejection limit
    private final BackendRef backend;
    private final Upstream upstream; // how the origin is spoken to (cleartext or TLS, which CAs)
    private final boolean head;
    private final boolean http10;
    private final boolean replayable;
    private final boolean bodyless;
    private final boolean upgrade;
    private final int first;
    private boolean keepAlive;
    private int attempt;
    private Endpoint endpoint;
    private Channel origin;
    private OriginHandler originHandler;
    private OriginPool pool;
    private boolean requestComplete;
    private boolean waitingOrigin;
    private boolean retried;
    private boolean done;
    private long bodyBytes;
    private boolean requestSent;
    private final BufferedBody body; // null: body-less, upgrade, or streamed (request buffering off)
    private final ChannelFutureListener sent = this::requestFlushed;
    private final ExchangeTimers timers;
    private final ResponseRelay response;
    private final long maxBodyBytes; // the route's proxy-body-size, else the global limit; 0 = unlimited
    private final Duration connectTimeout; // the route's proxy-connect-timeout, or null for the pool's

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
        this.http10 = request.protocolVersion() == HttpVersion.HTTP_1_0;
        this.pools = context.pools(ctx.channel().eventLoop());
        Route route = decision.route();
        this.all = decision.endpoints(); // Admission's one read: retries walk this same, non-empty list
        this.endpoints = pools.outliers().available(all);
        this.backend = route.backend().ref();
        this.upstream = route.upstream();
        this.first = context.loadBalancer().pick(backend, endpoints, pools);
        this.upgrade = RequestHeads.prepare(request, route, decision.target(), record, conn, context.settings());
        this.bodyless = !decision.hasBody();
        this.body = bodyless || upgrade || !route.requestBuffering() ? null
                : new BufferedBody(ctx.executor(), context.spool(), ctx.alloc(),
                        context.settings().clientBodyBufferSize());
        this.replayable = (bodyless || body != null) && !upgrade && Requests.idempotent(request.method());
        this.maxBodyBytes = route.options().maxRequestBodyBytes(context.settings().maxRequestBodyBytes());
        this.connectTimeout = route.options().timeouts().connect();
        this.timers = new ExchangeTimers(ctx.executor(), context.settings(), route.options().timeouts(),
                this::responseTimeout,
                this::waitingOnClientBody, this::waitingOnClientRead, this::clientStalled,
                () -> !done && waitingOrigin, this::originStalled);
        this.response = new ResponseRelay(this, conn, record, timers, context, head, http10, upgrade);
    }

    void start() {
        if (body == null) {
            connect(false);
            return;
        }
        timers.startWatchdog(); // clientBodyTimeout between reads while the body is buffered
        if (HttpUtil.is100ContinueExpected(request)) {
            // RFC 9110 §10.1.1: Usher reads the body itself, so it invites it; the origin gets the body, not the
            // expectation (nginx does the same).
            request.headers().remove(HttpHeaderNames.EXPECT);
            conn.headRequest(false);
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        conn.read();
    }

    private void connect(boolean fresh) {
        endpoint = endpoints.get((first + attempt) % endpoints.size());
        OriginPool target = pools.pool(endpoint, upstream);
        record.endpoint(endpoint.toString());
        Future<Channel> acquired = target.acquire(fresh, connectTimeout);
        if (acquired.isDone()) {
            connected(acquired, target);
        } else {
            acquired.addListener(f -> connected(acquired, target));
        }
    }

    private void connected(Future<Channel> acquired, OriginPool from) {
        if (done) {
            if (acquired.isSuccess()) {
                from.release(acquired.getNow()); // the client left meanwhile; this connection is unused and clean
            }
            return;
        }
        if (!acquired.isSuccess()) {
            Throwable cause = acquired.cause();
            boolean exhausted = cause instanceof OriginPool.Exhausted;
            context.metrics().upstreamError(exhausted ? ProxyMetrics.UpstreamError.POOL_EXHAUSTED
                    : cause instanceof ConnectTimeoutException ? ProxyMetrics.UpstreamError.CONNECT_TIMEOUT
                    : ProxyMetrics.UpstreamError.CONNECT_FAILED);
            if (!exhausted) {
                pools.outliers().failure(backend, all, from.endpoint(), Outliers.Reason.CONNECT_FAILED);
            }
            if (!exhausted && ++attempt < Math.min(context.settings().connectAttempts(), endpoints.size())) {
                connect(false);
            } else {
                fail(exhausted ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.BAD_GATEWAY,
                        exhausted ? "origin connection limit reached" : "origin unreachable");
            }
            return;
        }
        pool = from;
        origin = acquired.getNow();
        requestSent = false; // set by the last request write on this connection (a retry starts over)
        timers.startWatchdog();
        originHandler = OriginHandler.of(origin);
        originHandler.attach(this);
        OriginResponseDecoder decoder = origin.pipeline().get(OriginResponseDecoder.class);
        if (decoder != null) { // none on an HTTP/2 stream, which frames a HEAD response itself
            decoder.headRequest(head);
        }
        if (!request.headers().contains(HttpHeaderNames.HOST)) {
            request.headers().set(HttpHeaderNames.HOST, endpoint.toString()); // HTTP/1.0 client: 1.1 needs a Host
        }
        if (body != null) {
            sendBuffered();
            return;
        }
        origin.write(request);
        origin.read(); // before conn.read(): reading the client may end this exchange at once (a bad chunk size)
        if (requestComplete) {
            // a retry: the body-less request is replayed
            origin.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(sent);
            if (!response.started()) {
                timers.armResponse();
            }
        } else {
            origin.flush();
            conn.read();
        }
    }

    /** The whole buffered body goes upstream with a length (RFC 9112 §6.2), as nginx sends it, then the response. */
    private void sendBuffered() {
        HttpUtil.setTransferEncodingChunked(request, false);
        HttpUtil.setContentLength(request, body.size());
        origin.write(request);
        try {
            body.writeTo(origin).addListener(sent);
        } catch (UncheckedIOException e) {
            fail(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot read the buffered request body");
            return;
        }
        timers.armResponse();
        origin.read();
    }

    private void requestFlushed(ChannelFuture f) {
        if (f.channel() == origin) {
            requestSent = f.isSuccess();
        }
    }

    /** A request body chunk (or its end) from the client. */
    void requestContent(HttpContent content) {
        if (done) {
            content.release();
            return;
        }
        boolean buffering = body != null && !requestComplete;
        if (!buffering && origin == null) {
            // A stale-connection retry is connecting, which only body-less requests do: this is their empty end,
            // replayed by connected() once the fresh connection is up.
            requestComplete |= content instanceof LastHttpContent;
            content.release();
            return;
        }
        if (!admit(content)) {
            return;
        }
        if (buffering) {
            // Kept whole; once the end arrived, an origin connection is acquired (buffered()).
            boolean last = content instanceof LastHttpContent;
            body.append(content.content(), last ? this::buffered : conn::read, this::bufferFailed);
        } else if (content instanceof LastHttpContent) {
            requestComplete = true;
            origin.writeAndFlush(content).addListener(sent);
            if (!response.started()) {
                timers.armResponse();
            }
        } else {
            origin.writeAndFlush(content);
            if (origin.isWritable()) {
                conn.read();
            } else {
                waitingOrigin = true;
            }
        }
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
            abort(HttpResponseStatus.BAD_REQUEST, "malformed request body");
            return false;
        }
        timers.progress();
        int size = content.content().readableBytes();
        bodyBytes += size;
        record.bytesIn(size);
        long max = maxBodyBytes;
        if (max > 0 && bodyBytes > max) {
            content.release();
            abort(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body over " + max + " bytes");
            return false;
        }
        return true;
    }

    private void buffered() {
        requestComplete = true;
        timers.progress();
        connect(false);
    }

    private void bufferFailed(IOException e) {
        if (e instanceof BufferedBody.SpoolFull) {
            abort(HttpResponseStatus.SERVICE_UNAVAILABLE, "request body buffer space exhausted, try again later");
        } else {
            abort(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot buffer the request body");
        }
    }

    /** A message decoded from the origin. */
    void originRead(Object msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
        } else {
            response.onMessage(msg);
        }
    }

    void originReadComplete() {
        if (!done && origin != null) {
            response.readComplete(origin);
        }
    }

    void clientWritabilityChanged() {
        if (!done && origin != null) {
            response.clientWritable(origin);
        }
    }

    /** A 101 answered the upgrade request: the exchange ends and the connections become a tunnel. */
    void switchProtocols(HttpResponse switching) {
        timers.cancelAll();
        done = true;
        record.finish(101);
        UpgradeTunnel.splice(client, conn, switching, origin, pool, context.settings());
    }

    boolean done() {
        return done;
    }

    boolean keepAlive() {
        return keepAlive;
    }

    void keepAlive(boolean keep) {
        this.keepAlive = keep;
    }

    void originWritabilityChanged() {
        if (!done && waitingOrigin && origin != null && origin.isWritable()) {
            waitingOrigin = false;
            timers.progress();
            conn.read();
        }
    }

    /** The last response byte was handed to the client. */
    void complete(ChannelFuture lastWrite) {
        done = true;
        timers.cancelAll();
        // RFC 9112 §9.3: reuse only after a complete exchange the origin did not ask to end.
        releaseOrigin(requestComplete && requestSent && response.originKeepAlive());
        int status = response.status();
        if (status >= 502 && status <= 504) {
            pools.outliers().failure(backend, all, endpoint, Outliers.Reason.GATEWAY_ERROR);
        } else {
            pools.outliers().success(endpoint);
        }
        releaseBody();
        record.finish(response.status());
        client.exchangeDone(keepAlive && clientReusable(), lastWrite);
    }

    /** The origin connection closed or failed while this exchange held it. */
    void originClosed(Throwable cause) {
        if (done) {
            return;
        }
        boolean stale = originHandler.reused();
        pool.discard(origin);
        origin = null;
        if (!response.started() && stale && replayable && !retried) {
            retried = true; // RFC 9110 §9.2.2: an idempotent request on a connection the origin had closed
            timers.cancelAll();
            connect(true);
            return;
        }
        context.metrics().upstreamError(ProxyMetrics.UpstreamError.RESET);
        pools.outliers().failure(backend, all, endpoint, Outliers.Reason.RESET);
        fail(HttpResponseStatus.BAD_GATEWAY, "origin closed the connection");
    }

    /** The client went away: the origin connection is closed, never pooled mid-exchange. */
    void clientClosed() {
        if (done) {
            return;
        }
        done = true;
        timers.cancelAll();
        releaseBody();
        if (origin != null) {
            originHandler.detach();
            pool.discard(origin);
            origin = null;
        }
        record.finish(499);
    }

    void originBroken(ProxyMetrics.UpstreamError reason, String detail) {
        context.metrics().upstreamError(reason);
        fail(HttpResponseStatus.BAD_GATEWAY, detail);
    }

    /** The request itself is bad mid-body (bad chunk, too large): answer if still possible, close either way. */
    private void abort(HttpResponseStatus error, String detail) {
        keepAlive = false;
        fail(error, detail);
    }

    /** Ends the exchange with Usher's own response, or by closing the client when a response already started. */
    private void fail(HttpResponseStatus error, String detail) {
        done = true;
        timers.cancelAll();
        releaseBody();
        if (origin != null) {
            originHandler.detach();
            pool.discard(origin);
            origin = null;
        }
        if (response.started()) {
            record.finish(response.status());
            ctx.close();
            return;
        }
        boolean keep = keepAlive && clientReusable();
        conn.headRequest(head);
        ChannelFuture written = ctx.writeAndFlush(ErrorResponses.of(ctx.alloc(), error, detail, head, !keep));
        record.finish(error.code());
        client.exchangeDone(keep, written);
    }

    /**
     * The client connection can take another request once this one was read to its end; a body-less request's empty
     * end may still be queued, and the handler skips it.
     */
    private boolean clientReusable() {
        return requestComplete || bodyless;
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
        }
    }

    private void releaseOrigin(boolean reuse) {
        if (reuse) {
            originHandler.finish(); // back to the pool once this read batch is over (see OriginHandler)
        } else {
            originHandler.detach();
            pool.discard(origin);
        }
        origin = null;
    }

    private void responseTimeout() {
        if (!done && !response.started()) {
            context.metrics().upstreamError(ProxyMetrics.UpstreamError.TIMEOUT);
            fail(HttpResponseStatus.GATEWAY_TIMEOUT, "origin did not answer in time");
        }
    }

    /** The client has not taken the response bytes written to it. */
    private boolean waitingOnClientRead() {
        return !done && response.waitingClient();
    }

    /** The client owes body bytes that Usher is ready to take (not held back by the origin or the disk). */
    private boolean waitingOnClientBody() {
        return !done && !requestComplete && !waitingOrigin && (body == null || !body.writing());
    }

    private void originStalled() {
        if (!done) {
            keepAlive = false;
            context.metrics().upstreamError(ProxyMetrics.UpstreamError.TIMEOUT);
            fail(HttpResponseStatus.GATEWAY_TIMEOUT, "origin stopped reading the request");
        }
    }

    private void clientStalled() {
        if (!done) {
            keepAlive = false;
            fail(HttpResponseStatus.REQUEST_TIMEOUT, "client too slow"); // just closes if a response had started
        }
    }
}
