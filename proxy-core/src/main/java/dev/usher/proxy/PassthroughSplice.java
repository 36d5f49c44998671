package dev.usher.proxy;

import dev.usher.routing.Endpoint;
import dev.usher.routing.Passthrough;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One TLS passthrough connection ({@code ssl-passthrough}): the client's bytes, its ClientHello first, copied to an
 * endpoint of the host's backend and the endpoint's bytes back, TLS never opened, so the client sees the origin's
 * certificate. Confined to the client connection's event loop, like the origin connection it opens there.
 *
 * <p>The endpoint is the load balancer's pick, then the following ones when a connect fails, up to
 * {@link ProxySettings#connectAttempts()}; none ready, or none reachable, closes the client connection. Bytes
 * are read from one side only while the other is writable (back-pressure both ways); a half-close (FIN) is passed on
 * once everything before it was written, and the splice closes when both directions are shut, when either side
 * closes or resets, or after {@link ProxySettings#tunnelIdleTimeout()} without a byte either way. When both
 * connections are closed, one access-log line says what happened (method {@code -}, protocol
 * {@code TLS-PASSTHROUGH}, the server name as host, bytes each way; status 200 once the origin was reached, 502 when
 * no endpoint could be, 503 when none is ready, 499 when the client left first).
 */
final class PassthroughSplice {

    static final String PROTOCOL = "TLS-PASSTHROUGH";

    private final ProxyContext context;
    private final Passthrough target;
    private final Channel client;
    private final long epochMillis = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();
    /** What the client sent before the origin connection was up: the ClientHello and at most one more read. */
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>(2);

    private @Nullable Channel origin;
    private @Nullable Endpoint endpoint;
    private int status = 499;
    private long up;
    private long down;
    private boolean clientInputShut;
    private int outputsShut;
    private boolean logged;

    private PassthroughSplice(ProxyContext context, Passthrough target, Channel client) {
        this.context = context;
        this.target = target;
        this.client = client;
    }

    /**
     * Turns the client connection whose ClientHello named {@code target}'s host into a splice: the HTTP handlers
     * leave, the SNI handler last (its buffered bytes flow into the splice), and the origin connection is opened.
     *
     * @param sni the SNI handler's context, inside its decode: Netty removes it once the decode returns
     */
    static void start(ChannelHandlerContext sni, Passthrough target, ProxyContext context) {
        Channel client = sni.channel();
        PassthroughSplice splice = new PassthroughSplice(context, target, client);
        ((SocketChannelConfig) client.config()).setAllowHalfClosure(true);
        ChannelPipeline p = sni.pipeline();
        p.remove(H2AlpnSwitch.class);
        ClientInitializer.removeHttp1(p);
        p.addLast(splice.idleTimer(), splice.new Side(true));
        p.remove(sni.handler());
        client.closeFuture().addListener(f -> splice.closed());
        splice.connect();
    }

    private IdleStateHandler idleTimer() {
        return new IdleStateHandler(0, 0, context.settings().tunnelIdleTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void connect() {
        List<Endpoint> endpoints = target.backend().endpoints();
        if (endpoints.isEmpty()) {
            status = 503;
            client.close();
            return;
        }
        OriginPools pools = context.pools(client.eventLoop());
        int first = context.loadBalancer().pick(target.backend().ref(), endpoints, pools);
        attempt(
                pools,
                endpoints,
                first,
                Math.min(endpoints.size(), context.settings().connectAttempts()),
                0);
    }

    private void attempt(OriginPools pools, List<Endpoint> endpoints, int first, int tries, int tried) {
        Endpoint next = endpoints.get((first + tried) % endpoints.size());
        ChannelFuture connect = pools.rawBootstrap().connect(next.address(), next.port());
        connect.addListener(f -> {
            if (!client.isOpen()) {
                connect.channel().close(); // the client left meanwhile
            } else if (f.isSuccess()) {
                connected(connect.channel(), next, pools.guard());
            } else if (tried + 1 < tries) {
                attempt(pools, endpoints, first, tries, tried + 1);
            } else {
                status = 502;
                client.close();
            }
        });
    }

    private void connected(Channel channel, Endpoint reached, AllocationGuard guard) {
        origin = channel;
        endpoint = reached;
        status = 200;
        channel.pipeline().addLast(guard, idleTimer(), new Side(false));
        channel.closeFuture().addListener(f -> closed());
        for (ByteBuf buf = pending.poll(); buf != null; buf = pending.poll()) {
            channel.write(buf, channel.voidPromise());
        }
        channel.flush();
        if (clientInputShut) {
            shutOutput(channel);
        }
        channel.read();
        if (channel.isWritable()) {
            client.read();
        }
    }

    /** Passes a FIN on: {@code to}'s output is shut once everything written before it is out. */
    private void shutOutput(Channel to) {
        to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFuture written) -> {
            if (!written.isSuccess()) {
                closeBoth();
                return;
            }
            ((DuplexChannel) to).shutdownOutput().addListener(shut -> {
                if (!shut.isSuccess() || ++outputsShut == 2) {
                    closeBoth(); // both directions ended: nothing more can move
                }
            });
        });
    }

    private void closeBoth() {
        client.close();
        if (origin != null) {
            origin.close();
        }
    }

    /**
     * Either connection closed: the other one is closed once what was written to it is out; once both are (or the
     * client, with no origin connection), the access-log line.
     */
    private void closed() {
        Channel o = origin;
        boolean originOpen = o != null && o.isOpen();
        if (client.isOpen()) {
            if (o != null && !originOpen) {
                client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            return; // else the origin is still being connected
        }
        if (o != null && originOpen) {
            o.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        for (ByteBuf buf = pending.poll(); buf != null; buf = pending.poll()) {
            buf.release();
        }
        if (!logged) {
            logged = true;
            log();
        }
    }

    private void log() {
        Endpoint reached = endpoint;
        context.accessLog()
                .log(new AccessLog.Entry(
                        epochMillis,
                        NetUtil.toAddressString(ProxyProtocolHandler.peer(client)),
                        "-",
                        "-",
                        PROTOCOL,
                        target.host(),
                        status,
                        up,
                        down,
                        System.nanoTime() - startNanos,
                        target.ingress().namespace(),
                        target.ingress().name(),
                        target.backend().ref().toString(),
                        reached == null ? null : reached.toString(),
                        null));
    }

    /** Copies what one side reads to the other; the client side holds bytes back until the origin is connected. */
    private final class Side extends ChannelInboundHandlerAdapter {
        private final boolean fromClient;

        Side(boolean fromClient) {
            this.fromClient = fromClient;
        }

        private @Nullable Channel peer() {
            return fromClient ? origin : client;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf buf)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (fromClient) {
                up += buf.readableBytes();
            } else {
                down += buf.readableBytes();
            }
            Channel peer = peer();
            if (peer == null && client.isOpen()) {
                pending.add(buf);
            } else if (peer == null) {
                buf.release(); // the ClientHello of a client already closed (no endpoint): nothing to send it to
            } else {
                peer.write(buf, peer.voidPromise());
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            Channel peer = peer();
            if (peer == null) {
                return; // not connected yet: no more reads until it is
            }
            peer.flush();
            if (peer.isWritable()) {
                ctx.read();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Channel peer = peer();
            if (peer != null && ctx.channel().isWritable()) {
                peer.read(); // the peer paused because this side could not take more; resume it
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ChannelInputShutdownEvent.INSTANCE) {
                Channel peer = peer();
                if (fromClient) {
                    clientInputShut = true;
                }
                if (peer != null) {
                    shutOutput(peer);
                } // a client FIN before the origin is connected is passed on by connected()
            } else if (evt instanceof IdleStateEvent) {
                closeBoth();
            }
            ReferenceCountUtil.release(evt); // SniCompletionEvent, ChannelInputShutdownReadComplete: nothing to do
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset or a failed write: closed() ends the other side
        }
    }
}
