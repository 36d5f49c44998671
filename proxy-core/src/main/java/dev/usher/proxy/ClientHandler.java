package dev.usher.proxy;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;

/**
 * The per-connection state machine of a client connection: one request at a time, in order.
 *
 * <p>Auto-read is off and a {@code FlowControlHandler} sits in front, so each {@code read()} delivers one decoded
 * message. Pipelined requests therefore wait, already decoded or still in the socket, until the response before them
 * is complete: responses leave in request order with no reordering buffer. Every {@code channelRead} branch either
 * hands the message on (to the {@link Exchange}) or releases it.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {

    private enum State { AWAIT_HEAD, EXCHANGE, DISCARD_BODY, CLOSING }

    private final ProxyContext context;
    private final HeadTimer headTimer;
    private final ResponseEncoder encoder;
    private final boolean tls;
    private ChannelHandlerContext ctx;
    private String clientIp;
    private State state = State.AWAIT_HEAD;
    private Exchange exchange;
    private boolean readPending;

    ClientHandler(ProxyContext context, HeadTimer headTimer, ResponseEncoder encoder, boolean tls) {
        this.context = context;
        this.headTimer = headTimer;
        this.encoder = encoder;
        this.tls = tls;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        this.ctx = context;
        InetSocketAddress remote = (InetSocketAddress) context.channel().remoteAddress();
        this.clientIp = remote.getAddress().getHostAddress();
        awaitHead();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        readPending = false;
        switch (state) {
            case AWAIT_HEAD -> {
                if (msg instanceof HttpRequest request) {
                    headTimer.headReceived();
                    onRequest(request);
                } else {
                    ReferenceCountUtil.release(msg); // e.g. the end of a body we already answered
                    read();
                }
            }
            case EXCHANGE -> {
                if (msg instanceof HttpContent content) {
                    exchange.requestContent(content);
                } else {
                    ReferenceCountUtil.release(msg);
                    context.close();
                }
            }
            case DISCARD_BODY -> {
                ReferenceCountUtil.release(msg);
                if (msg instanceof LastHttpContent) {
                    awaitHead();
                } else {
                    read();
                }
            }
            default -> ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(HttpRequest request) {
        RequestRecord record = new RequestRecord(context, clientIp, request);
        boolean head = HttpMethod.HEAD.equals(request.method());
        Admission.Decision decision = Admission.decide(request, context, tls, record);
        if (!decision.proxied()) {
            ReferenceCountUtil.release(request); // a failed decode may be a FullHttpRequest
            FullHttpResponse response = decision.location() != null
                    ? ErrorResponses.redirect(ctx.alloc(), decision.location(), head, decision.close())
                    : ErrorResponses.of(ctx.alloc(), decision.status(), decision.reason(), head, decision.close());
            reply(record, response, head, decision.close());
            return;
        }
        state = State.EXCHANGE;
        int port = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
        exchange = new Exchange(this, context, request, decision, record, tls, port);
        exchange.start();
    }

    /** Sends one of Usher's own responses; without {@code close}, the (empty) rest of the request is read first. */
    private void reply(RequestRecord record, FullHttpResponse response, boolean head, boolean close) {
        encoder.headRequest(head);
        int status = response.status().code();
        ChannelFuture written = ctx.writeAndFlush(response);
        record.finish(status);
        if (close) {
            state = State.CLOSING;
            written.addListener(ChannelFutureListener.CLOSE);
        } else {
            state = State.DISCARD_BODY;
            read();
        }
    }

    /** Called by the exchange once its response is written (or it gave up); decides the connection's future. */
    void exchangeDone(boolean keepAlive, ChannelFuture lastWrite) {
        exchange = null;
        if (keepAlive && !context.draining() && ctx.channel().isActive()) {
            awaitHead();
        } else {
            state = State.CLOSING;
            lastWrite.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The connection became a tunnel: this handler is out of the pipeline from now on. */
    void upgraded() {
        exchange = null;
        state = State.CLOSING;
    }

    ChannelHandlerContext ctx() {
        return ctx;
    }

    ResponseEncoder encoder() {
        return encoder;
    }

    String clientIp() {
        return clientIp;
    }

    /** Graceful drain: an idle keep-alive connection closes now; a busy one closes after its current response. */
    void drain() {
        if (state == State.AWAIT_HEAD && headTimer.idle()) {
            state = State.CLOSING;
            ctx.close();
        }
    }

    private void awaitHead() {
        if (context.draining()) {
            state = State.CLOSING; // what was written is already flushed
            ctx.close();
            return;
        }
        state = State.AWAIT_HEAD;
        headTimer.awaitHead();
        read();
    }

    /**
     * Asks for the next decoded message. The flow-control handler counts a read as satisfied by a read-complete
     * event too (a socket read may decode to nothing), so an unanswered read is renewed in
     * {@link #channelReadComplete}.
     */
    void read() {
        readPending = true;
        ctx.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        if (readPending && state != State.CLOSING) {
            context.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        if (exchange != null) {
            exchange.clientWritabilityChanged();
        }
        context.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        state = State.CLOSING;
        if (exchange != null) {
            Exchange gone = exchange;
            exchange = null;
            gone.clientClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        context.close(); // resets and TLS failures end the connection; channelInactive cleans up
    }
}
