package dev.usher.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One {@code auth-url} subrequest (or {@code mirror-target} copy, {@link RequestMirror}) on the wire: a connection of
 * its own on the client's event loop (as ingress-nginx's subrequest without {@code auth-keepalive}:
 * {@code Connection: close}), the request written, the response head read, the connection closed. Names are resolved by the loop's asynchronous DNS resolver
 * ({@link OriginPools#authBootstrap}); connect, TLS handshake and response head share one deadline. The body of the
 * response is never read: nothing of it reaches the client.
 *
 * <p>Everything runs on the client's event loop; {@link Listener#answered} or {@link Listener#failed} is called at
 * most once, and never after {@link #cancel}.
 */
final class AuthCall {

    /** Where the outcome goes. */
    interface Listener {
        /** The auth service's final response head (its status and fields). */
        void answered(int status, HttpHeaders headers);

        /** No response: connect or DNS failure, reset, timeout, malformed response. */
        void failed(String why);
    }

    /** What a call writes; the call owns it once started: it is written, or {@link #discard}ed. */
    interface Outgoing {
        /** Writes the whole request to {@code channel} and flushes it; the future of the last write. */
        ChannelFuture writeTo(Channel channel);

        /** Frees what was never written. */
        void discard();

        /** Whether the request holds a {@code ChunkedInput} (a file body), which needs a chunked writer. */
        default boolean chunked() {
            return false;
        }
    }

    private static final int MAX_HEADER_SIZE = 16 * 1024;

    private final Listener listener;
    private @Nullable Channel channel;
    private @Nullable ScheduledFuture<?> timer;
    private boolean done;

    private AuthCall(Listener listener) {
        this.listener = listener;
    }

    /**
     * Starts the call to {@code host:port}; {@code tls} adds a handshake (no certificate verification, SNI
     * {@code host} unless it is an address, as nginx's {@code proxy_ssl_verify off} and {@code proxy_ssl_server_name
     * on}).
     */
    static AuthCall start(
            OriginPools pools,
            EventLoop loop,
            String host,
            int port,
            @Nullable SslContext tls,
            FullHttpRequest request,
            Duration timeout,
            Listener listener) {
        return start(
                pools,
                loop,
                host,
                port,
                tls,
                new Outgoing() {
                    @Override
                    public ChannelFuture writeTo(Channel channel) {
                        return channel.writeAndFlush(request);
                    }

                    @Override
                    public void discard() {
                        request.release();
                    }
                },
                timeout,
                listener);
    }

    /** Starts a call that writes {@code request}; see the other {@code start}. */
    static AuthCall start(
            OriginPools pools,
            EventLoop loop,
            String host,
            int port,
            @Nullable SslContext tls,
            Outgoing request,
            Duration timeout,
            Listener listener) {
        AuthCall call = new AuthCall(listener);
        call.timer = loop.schedule(
                () -> call.fail("no answer within " + timeout.toMillis() + " ms"),
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        InetSocketAddress address;
        try {
            address = literal != null
                    ? new InetSocketAddress(InetAddress.getByAddress(literal), port) // no lookup for an address
                    : InetSocketAddress.createUnresolved(host, port); // the bootstrap's DNS resolver, asynchronous
        } catch (UnknownHostException e) {
            request.discard();
            loop.execute(() -> call.fail("bad address " + host)); // never called back before start returns
            return call;
        }
        if (literal != null && !pools.localTargets() && NonLocalNameResolver.local(address.getAddress())) {
            request.discard(); // the resolver refuses names answering such an address; the same for the address
            String why = NonLocalNameResolver.refusal(host, address.getAddress());
            loop.execute(() -> call.fail(why));
            return call;
        }
        String sni = literal == null ? host : null;
        ChannelFuture connect = pools.authBootstrap()
                .clone() // registered on this loop: the pools' bootstrap is the loop's
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(OriginTlsContexts.handler(tls, ch.alloc(), sni, timeout.toMillis()));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(4096, MAX_HEADER_SIZE, 8192));
                        if (request.chunked()) {
                            ch.pipeline().addLast(new ChunkedWriteHandler());
                        }
                        ch.pipeline().addLast(call.new ResponseHead());
                    }
                })
                .connect(address);
        call.channel = connect.channel();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                request.discard();
                Throwable cause = f.cause();
                call.fail("cannot connect to " + host + ":" + port
                        + (cause == null ? "" : " (" + cause.getClass().getSimpleName() + ")"));
            } else if (call.done) {
                request.discard();
                connect.channel().close();
            } else {
                request.writeTo(connect.channel()).addListener(w -> {
                    if (!w.isSuccess()) {
                        call.fail("cannot send the request");
                    }
                });
            }
        });
        return call;
    }

    /** The client went away: the call is abandoned, its connection closed, and the listener is not called. */
    void cancel() {
        finish();
    }

    private void fail(String why) {
        if (!done) {
            finish();
            listener.failed(why);
        }
    }

    private void finish() {
        done = true;
        if (timer != null) {
            timer.cancel(false);
        }
        if (channel != null) {
            channel.close();
        }
    }

    /** Reads up to the final response head, then ends the call; every message is released. */
    private final class ResponseHead extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (done || !(msg instanceof HttpResponse response)) {
                    return; // body chunks, or anything after the head: dropped
                }
                if (response.decoderResult().isFailure()) {
                    fail("malformed response");
                } else if (response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
                    finish();
                    listener.answered(response.status().code(), response.headers());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail("the connection closed before a response");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail("connection failed (" + cause.getClass().getSimpleName() + ")");
        }
    }
}
