package dev.usher.proxy;

import dev.usher.routing.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/2 connections of one event loop to one endpoint: an exchange borrows a stream, not a connection.
 *
 * <p>Few parent connections ({@link Http2OriginConnection}) carry many streams. {@link #acquire(boolean, Duration)} opens a
 * stream on the first connection below the origin's {@code SETTINGS_MAX_CONCURRENT_STREAMS}; when all are full (or
 * none is up yet) the request waits for the next connection, which is opened then, up to
 * {@link ProxySettings#maxConnectionsPerEndpoint()} (beyond: 503 as for HTTP/1.1). A stream channel's pipeline is
 * {@link Http2StreamFrameToHttpObjectCodec} (client side), {@link Http2BodyWrites} (buffered bodies as contents),
 * {@link Http2RequestHeads} and the usual
 * {@link OriginHandler}, so {@link Exchange} speaks {@code HttpObject}s to it as to an HTTP/1.1 connection. Released or
 * discarded, a stream is closed (reset if unfinished); a connection closes after a GOAWAY once its streams ended, or
 * after {@link ProxySettings#poolIdleTimeout()} without streams. A connection lost fails its open streams (502).
 *
 * <p>Confined to its event loop, like {@link OriginPool}.
 */
final class Http2OriginPool extends OriginPool {

    /** The frame-to-HTTP conversion of every origin stream: sharable, so one instance instead of one per stream. */
    private static final Http2StreamFrameToHttpObjectCodec STREAM_CODEC = new Http2StreamFrameToHttpObjectCodec(false);

    private final Bootstrap bootstrap;
    private final boolean tls;
    private final List<Http2OriginConnection> connections = new ArrayList<>(2);
    private final ArrayDeque<Promise<Channel>> waiting = new ArrayDeque<>();
    private final ChannelInitializer<Http2StreamChannel> streamInitializer;
    private int connecting;
    private int busy;

    /**
     * @param bootstrap connects a parent connection ({@link Http2OriginInitializer#bootstrap}): its pipeline ends
     *     with the {@link Http2OriginConnection} this pool gives it
     * @param tls whether the bootstrap's pipeline starts with an SslHandler that must negotiate ALPN {@code h2}
     */
    Http2OriginPool(
            Endpoint endpoint,
            EventLoop loop,
            Bootstrap bootstrap,
            boolean tls,
            ProxySettings settings,
            ProxyMetrics metrics,
            AllocationGuard guard,
            Consumer<OriginPool> onEmpty) {
        super(endpoint, loop, bootstrap, settings, metrics, onEmpty);
        this.bootstrap = bootstrap.clone().attr(Http2OriginInitializer.POOL, this);
        this.tls = tls;
        this.streamInitializer = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline()
                        .addLast(
                                STREAM_CODEC,
                                new ChunkedWriteHandler(),
                                Http2BodyWrites.INSTANCE,
                                Http2RequestHeads.INSTANCE,
                                guard,
                                new OriginHandler());
            }
        };
    }

    /** A handler for a new parent connection's pipeline end: its {@link Http2OriginConnection}. */
    Http2OriginConnection newConnection() {
        return new Http2OriginConnection(this, streamInitializer);
    }

    long idleTimeoutNanos() {
        return settings.poolIdleTimeout().toNanos();
    }

    @Override
    int inFlight() {
        return busy;
    }

    /** Streams are opened per request, never pooled: {@link #acquire} opens one on a parent connection. */
    @Override
    @Nullable
    Channel pollIdle() {
        return null;
    }

    /**
     * A stream on a connection with room, else on a new connection. {@code connectTimeout} (a route's
     * {@code proxy-connect-timeout}) is not applied: a connection is shared by the streams of every route, so it uses
     * the pool's connect timeout.
     */
    @Override
    Future<Channel> acquire(boolean fresh, @Nullable Duration connectTimeout) {
        busy++;
        Promise<Channel> promise = loop.newPromise();
        waiting.add(promise);
        drain();
        return promise;
    }

    @Override
    void release(Channel stream) {
        discard(stream); // a finished stream is closed either way; the connection stays
    }

    @Override
    void discard(Channel stream) {
        busy--;
        stream.close(); // resets the stream if it was not finished
        maybeEmpty();
    }

    @Override
    void handOff() {
        busy--; // not reached: HTTP/2 has no 101
    }

    @Override
    void removeIdle(Channel stream) {
        // streams are never idle
    }

    /** The connection got its first SETTINGS: it takes streams now. */
    void ready(Http2OriginConnection connection) {
        connecting--;
        connections.add(connection);
        if (connection.maxStreams() == 0 && openable() == null) {
            // an origin that takes no streams now: answer 503 rather than open connection after connection
            failWaiting(new Exhausted("origin " + endpoint + " accepts no HTTP/2 streams (MAX_CONCURRENT_STREAMS 0)"));
        }
        drain();
    }

    /** A stream ended or the stream limit changed: waiting requests may get a stream. */
    void capacityChanged() {
        drain();
    }

    /** A parent connection closed; before it became ready, that is a failed connect for whoever waits. */
    private void closed(Channel parent) {
        boolean wasReady = false;
        for (int i = 0; i < connections.size(); i++) {
            if (connections.get(i).parent() == parent) {
                connections.remove(i);
                wasReady = true;
                break;
            }
        }
        if (!wasReady) {
            connecting--;
            if (connecting == 0 && connections.isEmpty()) {
                failWaiting(new ConnectException("HTTP/2 connection to " + endpoint + " closed before its SETTINGS"));
            }
        }
        drain();
        maybeEmpty();
    }

    private boolean isReady(Channel parent) {
        for (int i = 0; i < connections.size(); i++) {
            if (connections.get(i).parent() == parent) {
                return true;
            }
        }
        return false;
    }

    private void drain() {
        while (!waiting.isEmpty()) {
            Http2OriginConnection connection = openable();
            if (connection == null) {
                if (connecting == 0) {
                    if (connections.size() >= settings.maxConnectionsPerEndpoint()) {
                        failWaiting(new Exhausted("connection limit " + settings.maxConnectionsPerEndpoint()
                                + " reached for " + endpoint));
                    } else {
                        connect();
                    }
                }
                return;
            }
            Promise<Channel> promise = waiting.poll();
            connection.open().addListener(f -> {
                if (f.isSuccess()) {
                    Channel stream = (Channel) f.getNow();
                    OriginHandler.of(stream).pool(this);
                    if (!promise.trySuccess(stream)) {
                        discard(stream);
                    }
                } else {
                    busy--;
                    promise.tryFailure(f.cause());
                }
            });
        }
    }

    private @Nullable Http2OriginConnection openable() {
        for (int i = 0; i < connections.size(); i++) {
            Http2OriginConnection connection = connections.get(i);
            if (connection.canOpen()) {
                return connection;
            }
        }
        return null;
    }

    private void connect() {
        connecting++;
        long start = System.nanoTime();
        ChannelFuture connect = bootstrap.connect(endpoint.address(), endpoint.port());
        Channel channel = connect.channel();
        channel.closeFuture().addListener(c -> closed(channel)); // a failed connect closes the channel too
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                failWaiting(f.cause());
                return;
            }
            metrics.connectDuration(System.nanoTime() - start);
            // no SETTINGS in time (an origin that does not speak HTTP/2): a failed connect
            loop.schedule(
                    () -> {
                        if (!isReady(channel)) {
                            channel.close();
                        }
                    },
                    settings.connectTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            if (tls && ssl != null) { // ALPN other than h2 closes the connection (Http2OriginInitializer)
                ssl.handshakeFuture().addListener(h -> {
                    if (!h.isSuccess()) {
                        failWaiting(h.cause()); // a wrong certificate: 502, never an unverified request
                    }
                });
            }
        });
    }

    private void failWaiting(Throwable cause) {
        Promise<Channel> promise;
        while ((promise = waiting.poll()) != null) {
            busy--;
            promise.tryFailure(cause);
        }
    }

    private void maybeEmpty() {
        if (busy == 0 && connecting == 0 && connections.isEmpty() && waiting.isEmpty()) {
            onEmpty.accept(this);
        }
    }
}
