package dev.usher.proxy;

import dev.usher.routing.ExternalAuth;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The per-connection state machine of a client connection: one request at a time, in order.
 *
 * <p>Auto-read is off and a {@link ReadGate} sits in front, so each {@code read()} delivers one decoded
 * message. Pipelined requests therefore wait, already decoded or still in the socket, until the response before them
 * is complete: responses leave in request order with no reordering buffer. Every {@code channelRead} branch either
 * hands the message on (to the {@link Exchange}) or releases it.
 *
 * <p>A route with ingress-nginx's {@code auth-url} first waits in {@code AUTH} for the auth service's verdict
 * ({@link ExternalAuthCheck}), and one with Basic authentication for its bcrypt check ({@link PasswordChecks}); nothing
 * is read from the client meanwhile, so its body waits, unread, for the exchange.
 *
 * <p>On an HTTP/2 stream ({@link #forStream}) the same handler drives exactly one exchange: the stream's child channel
 * delivers the request as HTTP/1 objects ({@link H2StreamCodec}), and when the response ends the stream ends
 * with it. There is no head timer, keep-alive loop or lingering close: those are the connection's business
 * ({@link H2Connection}).
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {

    private enum State {
        AWAIT_HEAD,
        /**
         * The head waits for the Ingress's {@code auth-url} verdict or its Basic password check; nothing of the request
         * is read meanwhile.
         */
        AUTH,
        EXCHANGE,
        CLOSING
    }

    private final ProxyContext context;
    private final @Nullable HeadTimer headTimer;
    private final @Nullable ResponseEncoder encoder;
    private final boolean tls;
    private final int httpsPort;
    private ClientConnection conn; // set by channelActive, an initializer
    private State state = State.AWAIT_HEAD;
    private @Nullable Exchange exchange;
    private @Nullable ExternalAuthCheck authCheck; // in AUTH: the subrequest under way
    private @Nullable Runnable authAbandoned; // in AUTH: what a client gone meanwhile leaves to clean up
    private ClientConnection.@Nullable Peer peer; // a stream's: its connection's, worked out once
    private @Nullable ConnectionClock clock; // the exchanges' shared timer task: this connection's, or a stream's

    /**
     * The handler of one HTTP/2 stream's child channel, on a connection whose {@code peer} is known already and whose
     * streams share {@code clock} (the connection closes it).
     */
    static ClientHandler forStream(
            ProxyContext context, boolean tls, int httpsPort, ClientConnection.Peer peer, ConnectionClock clock) {
        ClientHandler handler = new ClientHandler(context, null, null, tls, httpsPort);
        handler.peer = peer;
        handler.clock = clock;
        return handler;
    }

    /** @param httpsPort the bound HTTPS port that redirects name, -1 when there is no HTTPS listener */
    ClientHandler(
            ProxyContext context,
            @Nullable HeadTimer headTimer,
            @Nullable ResponseEncoder encoder,
            boolean tls,
            int httpsPort) {
        this.context = context;
        this.headTimer = headTimer;
        this.encoder = encoder;
        this.tls = tls;
        this.httpsPort = httpsPort;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        TrustedProxies trusted = context.settings().trustedProxies();
        ClientConnection.Peer known = peer;
        conn = new ClientConnection(
                ctx, encoder, tls, trusted, known != null ? known : ClientConnection.Peer.of(ctx.channel(), trusted));
        if (stream()) {
            conn.read(); // the stream's one request
        } else {
            clock = new ConnectionClock(ctx.executor());
            awaitHead();
        }
    }

    /** The timer task this connection's exchanges share (one after the other; on HTTP/2, with the other streams). */
    @Nullable
    ConnectionClock clock() {
        return clock;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        conn.answered();
        if (state == State.AWAIT_HEAD && msg instanceof HttpRequest request) {
            if (headTimer != null) {
                headTimer.headReceived();
            }
            onRequest(request);
        } else if (state == State.AWAIT_HEAD) {
            ReferenceCountUtil.release(msg); // the (empty) end of a request Usher answered itself
            conn.read();
        } else if (state == State.EXCHANGE && msg instanceof HttpContent content) {
            Objects.requireNonNull(exchange, "EXCHANGE has one").requestContent(content);
        } else {
            ReferenceCountUtil.release(msg);
            if (state == State.EXCHANGE || state == State.AUTH) { // AUTH reads nothing: a message cannot come
                ctx.close(); // a new head before the body ended cannot happen with a sane decoder: give up
            }
        }
    }

    private void onRequest(HttpRequest request) {
        RequestRecord record = new RequestRecord(
                context,
                conn.ctx.executor().ticker(),
                conn.clientAddress(request.headers()),
                request,
                stream() ? RequestRecord.HTTP_2 : request.protocolVersion().text());
        decided(request, Admission.decide(request, context, tls, httpsPort, record, conn), record);
    }

    /** Goes on with what admission decided: a password check, an {@code auth-url} check, the origin, or a reply. */
    private void decided(HttpRequest request, Admission.Decision decision, RequestRecord record) {
        BasicAuthVerifier.Pending password = decision.password();
        if (password != null) {
            checkPassword(request, decision, record, password);
            return;
        }
        ExternalAuth auth = decision.proxied() && !decision.accessSatisfied()
                ? Objects.requireNonNull(decision.route(), "a proxied decision has a route")
                        .options()
                        .externalAuth()
                : null;
        if (auth != null) {
            state = State.AUTH;
            authAbandoned = () -> {
                ReferenceCountUtil.release(request);
                record.finish(499);
            };
            authCheck = ExternalAuthCheck.start(
                    auth,
                    request,
                    decision,
                    record,
                    conn,
                    context,
                    (refusal, cookies) -> authorised(request, decision, record, refusal, cookies, auth));
            return;
        }
        if (decision.proxied()) {
            proxy(request, decision, record);
            return;
        }
        answer(request, decision, record);
    }

    private void proxy(HttpRequest request, Admission.Decision decision, RequestRecord record) {
        proxy(request, decision, record, List.of(), null);
    }

    /**
     * Basic auth's bcrypt check runs on a {@link PasswordChecks} thread, the request waiting in {@code AUTH} as for an
     * {@code auth-url} verdict; a 503 when too many checks wait already, for the proxy or for this client.
     */
    private void checkPassword(
            HttpRequest request,
            Admission.Decision decision,
            RequestRecord record,
            BasicAuthVerifier.Pending password) {
        state = State.AUTH;
        Runnable abandoned = () -> {
            password.cancel();
            ReferenceCountUtil.release(request);
            record.finish(499);
        };
        authAbandoned = abandoned;
        String refused = context.passwordChecks().submit(password, record.clientIp(), conn.ctx.executor(), passed -> {
            context.metrics().passwordCheck(passed);
            if (authAbandoned != abandoned) {
                return; // the client went away meanwhile: channelInactive released the request
            }
            authAbandoned = null;
            decided(request, Admission.passwordChecked(decision, request, context, record, passed), record);
        });
        if (refused != null) {
            context.metrics().passwordCheck(null);
            authAbandoned = null;
            answer(
                    request,
                    Admission.Decision.reply(HttpResponseStatus.SERVICE_UNAVAILABLE, refused, decision.close()),
                    record);
        }
    }

    private void proxy(
            HttpRequest request,
            Admission.Decision decision,
            RequestRecord record,
            List<String> cookies,
            @Nullable ExternalAuth auth) {
        state = State.EXCHANGE;
        exchange = new Exchange(this, conn, context, request, decision, record);
        if (auth != null) {
            exchange.authCookies(cookies, auth);
        }
        exchange.start();
    }

    /**
     * custom-http-errors: the exchange for {@code request} ended with a listed {@code status}; {@code errorHead} (a GET
     * of the same target with ingress-nginx's fields) goes to the error route instead, on the same record.
     */
    void errorPage(HttpRequest errorHead, Admission.Decision decision, RequestRecord record, int status) {
        record.route(Objects.requireNonNull(decision.route(), "an error page has a route"));
        exchange = new Exchange(this, conn, context, errorHead, decision, record);
        exchange.errorFor(status);
        exchange.start();
    }

    /** The auth service's verdict: the request goes on to its origin, or gets {@code refusal} instead. */
    private void authorised(
            HttpRequest request,
            Admission.Decision decision,
            RequestRecord record,
            Admission.@Nullable Decision refusal,
            List<String> cookies,
            ExternalAuth auth) {
        authCheck = null;
        authAbandoned = null;
        if (refusal == null) {
            proxy(request, decision, record, cookies, auth);
        } else {
            answer(request, refusal, record, cookies, auth);
        }
    }

    /** Usher's own reply to {@code request}; the connection ends after it when the decision says so. */
    private void answer(HttpRequest request, Admission.Decision decision, RequestRecord record) {
        answer(request, decision, record, List.of(), null);
    }

    /** As above, with the auth service's {@code cookies} added when {@code auth} passes them on for the status. */
    private void answer(
            HttpRequest request,
            Admission.Decision decision,
            RequestRecord record,
            List<String> cookies,
            @Nullable ExternalAuth auth) {
        boolean head = HttpMethod.HEAD.equals(request.method());
        ResponseEdits edits = ResponseEdits.of( // the Ingress's header edits on its route's every answer
                context.settings().addHeaders(), record.route(), request, decision.target(), conn, record);
        ReferenceCountUtil.release(request); // a failed decode may be a FullHttpRequest
        FullHttpResponse response = decision.preflight() != null
                ? CorsHeaders.preflightReply(decision.preflight(), decision.close())
                : ErrorResponses.local(conn.ctx.alloc(), decision, head, record.grpc());
        if (auth != null
                && !cookies.isEmpty()
                && ExternalAuthCheck.cookiesFor(auth, response.status().code())) {
            response.headers().add(HttpHeaderNames.SET_COOKIE, cookies);
        }
        edits.apply(response);
        conn.headRequest(head);
        ChannelFuture written = conn.ctx.writeAndFlush(response);
        record.finish(Objects.requireNonNull(decision.status(), "a local reply has a status")
                .code());
        if (decision.close() || stream()) {
            state = State.CLOSING;
            end(written);
        } else {
            awaitHead(); // the request's empty end is still queued; AWAIT_HEAD skips it
        }
    }

    /** Called by the exchange once its response is written (or it gave up); decides the connection's future. */
    void exchangeDone(boolean keepAlive, ChannelFuture lastWrite) {
        exchange = null;
        if (keepAlive && !stream() && !context.draining() && conn.ctx.channel().isActive()) {
            awaitHead();
        } else {
            state = State.CLOSING;
            end(lastWrite);
        }
    }

    private boolean stream() {
        return headTimer == null;
    }

    /**
     * Ends the connection, or on HTTP/2 the stream (one exchange per stream), after {@code lastWrite}. Closing a
     * stream both sides ended sends nothing more; a stream whose client has not ended it is reset, since the rest of
     * its request will not be read (RFC 9113 §8.1), so it cannot hold a stream slot or keep the connection from
     * idling out.
     */
    private void end(ChannelFuture lastWrite) {
        if (stream()) {
            lastWrite.addListener(f -> conn.ctx.channel().close());
        } else {
            LingeringClose.after(lastWrite);
        }
    }

    /** The connection became a tunnel: this handler is out of the pipeline from now on. */
    void upgraded() {
        exchange = null;
        state = State.CLOSING;
    }

    /** Graceful drain: an idle keep-alive connection closes now; a busy one closes after its current response. */
    void drain() {
        if (state == State.AWAIT_HEAD && headTimer != null && headTimer.idle()) { // a stream has no head timer
            state = State.CLOSING;
            conn.ctx.close();
        }
    }

    private void awaitHead() {
        if (context.draining()) {
            state = State.CLOSING; // what was written is already flushed
            conn.ctx.close();
            return;
        }
        state = State.AWAIT_HEAD;
        Objects.requireNonNull(headTimer, "only a connection awaits heads, never a stream")
                .awaitHead();
        conn.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state != State.CLOSING) {
            conn.renewRead();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.clientWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSING;
        ExternalAuthCheck check = authCheck;
        Runnable abandoned = authAbandoned;
        authCheck = null;
        authAbandoned = null;
        if (check != null) {
            check.cancel(); // the auth service's connection closes; no verdict follows
        }
        if (abandoned != null) {
            abandoned.run();
        }
        Exchange gone = exchange;
        exchange = null;
        if (gone != null) {
            gone.clientClosed();
        }
        if (clock != null && !stream()) {
            clock.close(); // after the exchange's own clean-up, which may still let go of it
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // resets and TLS failures end the connection; channelInactive cleans up
    }
}
