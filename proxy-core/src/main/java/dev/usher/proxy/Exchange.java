package dev.usher.proxy;

import dev.usher.routing.Endpoint;
import dev.usher.routing.ExternalAuth;
import dev.usher.routing.ResponseRewrites;
import dev.usher.routing.RetryOn;
import dev.usher.routing.Route;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One proxied request and its response, streamed both ways with backpressure. Its life is an {@link ExchangeState},
 * moved only through {@link #moveTo}, which refuses any transition outside that table; the request half is a
 * {@link RequestRelay} (buffered or streamed body), the response half a {@link ResponseRelay}, and which endpoint each
 * attempt goes to, and whether a failed attempt is followed by another, is {@link Attempts}' choice.
 *
 * <p>The client connection, the borrowed origin connection and this object all live on one event loop, so nothing
 * here is synchronized. Both channels have auto-read off; each side is read only while the other can take what it
 * sends, so at most one socket read and the write-buffer high water mark are in memory per direction.
 *
 * <p>Failure rules: while no response byte reached the client ({@link ExchangeState#beforeResponse()}), a failed
 * attempt is followed by another if {@link Attempts} allows it, else Usher answers (502, 503, 504); once the response
 * has started ({@link ExchangeState#RELAYING}), closing the client connection is the only honest signal left. The
 * origin connection goes back to its pool only after a clean, complete exchange whose request was fully flushed.
 */
final class Exchange implements ExchangeTimers.Owner {

    private final ClientHandler client;
    private final ClientConnection conn;
    private final ChannelHandlerContext ctx;
    private final ProxyContext context;
    private final RequestRecord record;
    private final Attempts attempts;
    private final boolean head;
    private final ExchangeTimers timers;
    private RequestRelay requestRelay; // set once in the constructor; not final so the timers' lambdas can name it
    private ResponseRelay response; // the same
    private ExchangeState state;
    private boolean keepAlive;
    private @Nullable OriginLease origin; // the current attempt's connection, null while there is none
    private final RouteFields routeFields; // CORS fields and the session cookie of the route
    private final @Nullable ResponseRewrites rewrites; // proxy-redirect-*, proxy-cookie-*: null for most routes
    private final ResponseEdits responseEdits; // configuration-snippet's header directives: NONE for most routes
    private List<String> authCookies = List.of(); // the auth-url response's Set-Cookie values
    private @Nullable ExternalAuth auth; // the route's, when its verdict let the request through
    /** custom-http-errors: the client's head as it came (before forwarding edits), target and route; or null. */
    private final ErrorPages.@Nullable Original original;
    /** The status this exchange's error backend stands in for (0: an ordinary exchange, whose errors may go there). */
    private int errorFor;
    /** mirror-target: the copy still to send when the first attempt starts, or null. */
    private @Nullable RequestMirror mirror;

    Exchange(
            ClientHandler client,
            ClientConnection conn,
            ProxyContext context,
            HttpRequest request,
            Admission.Decision decision,
            RequestRecord record) {
        this.client = client;
        this.conn = conn;
        this.ctx = conn.ctx;
        this.context = context;
        this.record = record;
        this.keepAlive = decision.keepAlive();
        this.head = HttpMethod.HEAD.equals(request.method());
        boolean http10 = request.protocolVersion() == HttpVersion.HTTP_1_0; // before prepare() makes it 1.1
        Route route = Objects.requireNonNull(decision.route(), "a proxied decision has a route");
        LoadBalancer balancer = RouteBalancing.choose(
                route, context.loadBalancer(), request, decision.target(), conn, record); // before edits
        this.routeFields = RouteFields.of(route, request, balancer, conn.tls); // before forwarding edits
        this.rewrites = route.options().responseRewrites();
        this.original = ErrorPages.original(route, request, decision);
        Requests.Target target = Objects.requireNonNull(decision.target(), "a proxied decision has a target");
        this.responseEdits = ResponseEdits.of(
                context.settings().addHeaders(), route, request, target, conn, record); // before prepare()
        RequestMirror copy = RequestMirror.of(route, request, target, conn, record, context.settings()); // before edits
        boolean upgrade = RequestHeads.prepare(request, route, target, record, conn, context.settings());
        if (copy != null) {
            copy.fields(request.headers()); // the forwarded fields, X-Request-ID included
        }
        this.mirror = copy;
        this.timers = new ExchangeTimers(
                ctx.executor(), context.settings(), route.options().timeouts(), this, client.clock());
        this.requestRelay = new RequestRelay(
                this,
                conn,
                context,
                request,
                record,
                timers,
                !decision.hasBody(),
                route.requestBuffering() && !record.grpc(),
                upgrade, // a gRPC call streams, as nginx's grpc_pass
                route.options().maxRequestBodyBytes(context.settings().maxRequestBodyBytes()));
        this.response = new ResponseRelay(
                this,
                conn,
                record,
                timers,
                context,
                head,
                http10,
                upgrade,
                route.options().responseRate());
        // Admission's one read of the endpoints: every attempt walks this same, non-empty list
        this.attempts = new Attempts(
                this,
                context,
                routeFields.balancer(balancer),
                context.pools(ctx.channel().eventLoop()),
                record,
                route,
                decision.endpoints(),
                requestRelay.replayable() && Requests.idempotent(request.method()),
                requestRelay.replayable());
        this.state = requestRelay.buffers() ? ExchangeState.BUFFERING : ExchangeState.CONNECTING;
        if (record.grpc()) { // the head's content type is read once, by the record
            timers.armDeadline(Grpc.timeoutNanos(request.headers()));
        }
    }

    void start() {
        if (!requestRelay.buffers()) {
            mirror(); // a streamed body is not mirrored: the copy has the head only
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

    /** Starts an attempt: on the current endpoint, or (after a failed connect) the next one {@link Attempts} chose. */
    void connect(boolean fresh) {
        moveTo(ExchangeState.CONNECTING);
        attempts.connect(fresh);
    }

    /**
     * Rewrites the origin's {@code Location}, {@code Refresh} and {@code Set-Cookie} fields as the route says
     * ({@code proxy-redirect-*}, {@code proxy-cookie-*}); not in the error backend's response, which ingress-nginx
     * serves from a location of its own without them. Before the route's own fields are added, which are Usher's.
     */
    void rewriteOriginFields(HttpResponse response) {
        ResponseRewrites r = rewrites;
        if (r != null && errorFor == 0) {
            ResponseRewriting.apply(response.headers(), r);
        }
    }

    /** Adds the route's own fields (CORS, the session cookie) to the origin's final response head. */
    void addRouteFields(HttpResponse response) {
        routeFields.apply(response.headers(), attempts.endpoint());
        addAuthCookies(response);
    }

    /** The Ingress's header edits ({@code configuration-snippet}), last on the final response head, the origin's or ours. */
    void editFields(HttpResponse response) {
        responseEdits.apply(response);
    }

    /** The auth service's cookies go on the client's response ({@link ExternalAuthCheck#cookiesFor}). */
    void authCookies(List<String> cookies, ExternalAuth auth) {
        this.authCookies = List.copyOf(cookies);
        this.auth = auth;
    }

    private void addAuthCookies(HttpResponse response) {
        ExternalAuth a = auth;
        if (a != null
                && !authCookies.isEmpty()
                && ExternalAuthCheck.cookiesFor(a, response.status().code())) {
            response.headers().add(HttpHeaderNames.SET_COOKIE, authCookies);
        }
    }

    ExchangeState state() {
        return state;
    }

    /** The current attempt has its origin connection: the request goes out. */
    void attached(Channel channel, OriginPool from, Endpoint endpoint) {
        origin = OriginLease.attach(channel, from, this, head);
        timers.startWatchdog();
        moveTo(requestRelay.complete() ? ExchangeState.AWAITING_RESPONSE : ExchangeState.SENDING);
        requestRelay.sendTo(channel, endpoint);
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
            mirror();
            connect(false);
        }
    }

    /** Sends the mirror copy, once, never for an error page's exchange (its request was mirrored already). */
    private void mirror() {
        RequestMirror copy = mirror;
        mirror = null;
        if (copy != null && errorFor == 0) {
            copy.send(requestRelay.bufferedBody(), context, ctx.channel().eventLoop());
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
        if (!state.terminal() && (origin != null || state == ExchangeState.RELAYING)) {
            OriginLease o = origin;
            response.clientWritable(o == null ? null : o.channel); // null: a paced end held after the origin closed
        }
    }

    /** The current origin connection, or null when there is none (a paced response may outlive it). */
    @Nullable
    Channel originChannel() {
        OriginLease o = origin;
        return o == null ? null : o.channel;
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

    /** A 101 answered the upgrade request: the exchange ends and the connections become a tunnel. */
    void switchProtocols(HttpResponse switching) {
        moveTo(ExchangeState.UPGRADED);
        timers.cancelAll();
        RateLimiter.Slot slot = record.takeSlot(); // limit-connections: a tunnel counts until it closes, as in nginx
        record.finish(101);
        if (slot != null) {
            ctx.channel().closeFuture().addListener(f -> slot.release());
        }
        OriginLease lease = Objects.requireNonNull(origin, "the 101 came from the origin held");
        UpgradeTunnel.splice(client, conn, switching, lease.channel, lease.pool(), context.settings());
    }

    boolean keepAlive() {
        return keepAlive;
    }

    void keepAlive(boolean keep) {
        this.keepAlive = keep;
    }

    /** The last response byte was handed to the client. */
    void complete(ChannelFuture lastWrite) {
        // RFC 9112 §9.3: reuse only after a complete exchange the origin did not ask to end.
        if (requestRelay.complete() && requestRelay.flushed() && response.originKeepAlive() && origin != null) {
            origin.finish(); // null: the origin closed while a paced relay (limit-rate) held the response's end
            origin = null;
        }
        int status = response.status();
        if (status >= 502 && status <= 504) {
            attempts.failed(Outliers.Reason.GATEWAY_ERROR);
        } else {
            attempts.succeeded();
        }
        end(ExchangeState.COMPLETE, status);
        client.exchangeDone(keepAlive && requestRelay.clientReusable(), lastWrite);
    }

    /** Moves to {@code ending}: timers off, body freed, the origin connection discarded unless handed back. */
    private void end(ExchangeState ending, int status) {
        moveTo(ending);
        timers.cancelAll();
        response.stop();
        requestRelay.release();
        dropOrigin();
        record.finish(status);
    }

    private void dropOrigin() {
        origin = OriginLease.discardIfAny(origin);
    }

    /** The origin connection closed or failed while this exchange held it. */
    void originClosed(@Nullable Throwable cause) {
        if (state.terminal()) {
            return;
        }
        OriginLease held = Objects.requireNonNull(origin, "only the origin held reports its close");
        if (state == ExchangeState.RELAYING && response.holdsEnd()) {
            dropOrigin(); // limit-rate: the whole response was read and waits for its pace; the client gets it all
            return;
        }
        boolean stale = held.reused();
        boolean refused = held.refused();
        dropOrigin();
        if (state.beforeResponse() && stale && !response.interimSent() && attempts.staleRetry()) {
            timers.cancelAttempt(); // RFC 9110 §9.2.2: a request on a connection the origin had closed
            connect(true);
            return;
        }
        if (state.beforeResponse() && refused && !response.interimSent() && attempts.refusedRetry()) {
            timers.cancelAttempt(); // RFC 9113 §8.7: an HTTP/2 stream the origin did not process
            connect(false);
            return;
        }
        context.metrics().upstreamError(ProxyMetrics.UpstreamError.RESET);
        attempts.failed(Outliers.Reason.RESET);
        if (!retried(RetryOn.ERROR)) {
            fail(HttpResponseStatus.BAD_GATEWAY, "origin closed the connection");
        }
    }

    /** The client went away: the origin connection is closed, never pooled mid-exchange. */
    void clientClosed() {
        if (state.terminal()) {
            return;
        }
        end(ExchangeState.CLIENT_GONE, 499);
    }

    void originBroken(ProxyMetrics.UpstreamError reason, String detail) {
        context.metrics().upstreamError(reason);
        if (!retried(RetryOn.INVALID_HEADER)) {
            fail(HttpResponseStatus.BAD_GATEWAY, detail);
        }
    }

    /** Makes this the error backend's exchange standing in for {@code status}: its own errors answer that status. */
    void errorFor(int status) {
        this.errorFor = status;
        requestRelay.alreadyRead();
    }

    /**
     * ingress-nginx's custom-http-errors: whether a response with {@code code}, not sent yet, is replaced by the error
     * backend's. Then this exchange ends here (the origin connection closed, so no unread body can be reused) and the
     * client handler starts a GET of the same target on the error route; never from an error exchange (no loop), and
     * only for a body-less request or one read to its end.
     */
    boolean errorPage(int code) {
        if (original == null
                || errorFor != 0
                || !state.beforeResponse()
                || response.interimSent()
                || !requestRelay.clientReusable()) {
            return false; // a body still on its way cannot be skipped: the original response is served
        }
        Admission.Decision errors = original.errorPage(code, keepAlive);
        if (errors == null) {
            return false;
        }
        moveTo(ExchangeState.FAILED); // this attempt's part is over; the record goes on with the error exchange
        timers.cancelAll();
        requestRelay.release();
        dropOrigin();
        client.errorPage(original.head(code), errors, record, code);
        return true;
    }

    /** A final response head not sent yet: whether it is discarded (its connection closed) for another attempt. */
    boolean retryOnStatus(int code) {
        RetryOn condition = RetryOn.ofStatus(code);
        return condition != null && retried(condition);
    }

    /** The attempt failed: the next one starts if no response byte (not even a 1xx) went out and Attempts agree. */
    private boolean retried(RetryOn failure) {
        if (!state.beforeResponse() || response.interimSent() || !attempts.retry(failure)) {
            return false;
        }
        timers.cancelAttempt();
        dropOrigin();
        connect(false);
        return true;
    }

    /** The request itself is bad mid-body (bad chunk, too large): answer if still possible, close either way. */
    void abort(HttpResponseStatus error, String detail) {
        keepAlive = false;
        fail(error, detail);
    }

    /** Ends the exchange with Usher's own response, or by closing the client when a response already started. */
    void fail(HttpResponseStatus error, String detail) {
        if (state.beforeResponse() && errorPage(error.code())) {
            return; // Usher's own 502/503/504 listed in custom-http-errors: the error backend answers
        }
        if (errorFor != 0 && state.beforeResponse()) {
            error = HttpResponseStatus.valueOf(errorFor); // the error backend failed too: the original status
        }
        if (state == ExchangeState.RELAYING) {
            end(ExchangeState.FAILED, response.status());
            ctx.close();
            return;
        }
        if (state.beforeResponse() && timers.deadlineOver() && error != HttpResponseStatus.GATEWAY_TIMEOUT) {
            deadlinePassed(); // the origin gave up on the call's grpc-timeout first: the client's status is the
            // deadline
            return;
        }
        end(ExchangeState.FAILED, error.code());
        boolean keep = keepAlive && requestRelay.clientReusable();
        conn.headRequest(head);
        FullHttpResponse reply = ErrorResponses.of(ctx.alloc(), error, detail, head, !keep, record.grpc());
        addAuthCookies(reply);
        editFields(reply);
        client.exchangeDone(keep, ctx.writeAndFlush(reply));
    }

    /** The call's {@code grpc-timeout} passed before its response head: no retry can beat a passed deadline. */
    @Override
    public void responseTimedOut() {
        timedOut(HttpResponseStatus.GATEWAY_TIMEOUT, "origin did not answer in time", true);
    }

    @Override
    public boolean waitingOnClientBody() {
        return !state.terminal() && requestRelay.waitingOnClientBody();
    }

    @Override
    public boolean waitingOnClientRead() {
        return !state.terminal() && response.waitingClient();
    }

    @Override
    public void clientStalled() {
        timedOut(HttpResponseStatus.REQUEST_TIMEOUT, "client too slow", false);
    }

    @Override
    public boolean waitingOnOrigin() {
        return !state.terminal() && requestRelay.waitingOrigin();
    }

    @Override
    public void originStalled() {
        timedOut(HttpResponseStatus.GATEWAY_TIMEOUT, "origin stopped reading the request", false);
    }

    @Override
    public void deadlinePassed() {
        if (state.beforeResponse()) {
            context.metrics().upstreamError(ProxyMetrics.UpstreamError.TIMEOUT);
            fail(HttpResponseStatus.GATEWAY_TIMEOUT, "grpc-timeout passed");
        }
    }

    /**
     * A clock ran out: the origin's response head is late (504, the client connection kept), the origin stopped taking
     * the request body (504) or the client stalled (408, or a closed connection once the response started). The first
     * two are the {@code timeout} failure of the attempt and may be retried.
     */
    private void timedOut(HttpResponseStatus status, String detail, boolean keepClient) {
        if (state.terminal() || keepClient && !state.beforeResponse()) {
            return;
        }
        if (status == HttpResponseStatus.GATEWAY_TIMEOUT) {
            context.metrics().upstreamError(ProxyMetrics.UpstreamError.TIMEOUT);
            if (retried(RetryOn.TIMEOUT)) {
                return;
            }
        }
        keepAlive &= keepClient;
        fail(status, detail);
    }
}
