package dev.usher.proxy;

import dev.usher.routing.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The keep-alive connections of one event loop to one endpoint.
 *
 * <p>Confined to its event loop: every method runs on {@link #loop}, and so do the close listeners of the channels it
 * creates (they are registered on the same loop), so the fields need no locks or volatiles. A connection is handed
 * out with {@link #acquire(boolean)}; it comes back with {@link #release(Channel)} only after a clean, complete
 * exchange, or is thrown away with {@link #discard(Channel)}. Idle connections are validated on borrow (still active)
 * and closed after {@link ProxySettings#poolIdleTimeout()}; the newest idle connection is reused first (LIFO), so
 * surplus ones age out.
 *
 * <p>Not final: {@link Http2OriginPool} keeps the same surface (acquire, release, discard) for HTTP/2 origins, where
 * a "connection" handed out is a stream, so {@link Exchange} needs no second code path.
 *
 * <p>Idle expiry costs no timer per request: a connection is stamped when it enters the pool, and one sweep task per
 * pool, armed for the oldest stamp, closes what has been idle too long. Because reuse takes the newest connection,
 * the head of {@link #idle} is always the oldest, so a sweep looks only at connections it closes plus one. (A timer
 * per release was half of the proxy's allocation and 8 % of its CPU under load: benchmarks/README.md.)
 */
class OriginPool {

    /** Thrown through the acquire future when the per-endpoint connection limit is reached. */
    static final class Exhausted extends Exception {
        private static final long serialVersionUID = 1L;

        Exhausted(String message) {
            super(message, null, false, false);
        }
    }

    final Endpoint endpoint;
    final EventLoop loop;
    private final Bootstrap bootstrap;
    final ProxySettings settings;
    final ProxyMetrics metrics;
    final Consumer<OriginPool> onEmpty;
    private final LongSupplier clock;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private int open;
    private int busy;
    private boolean sweepArmed;

    /** @param onEmpty called when the last connection closed, so that pools of departed endpoints do not pile up */
    OriginPool(
            Endpoint endpoint,
            EventLoop loop,
            Bootstrap bootstrap,
            ProxySettings settings,
            ProxyMetrics metrics,
            Consumer<OriginPool> onEmpty) {
        this(endpoint, loop, bootstrap, settings, metrics, onEmpty, System::nanoTime);
    }

    /** As above, with the clock (nanoseconds, as {@link System#nanoTime()}) that stamps and ages idle connections. */
    OriginPool(
            Endpoint endpoint,
            EventLoop loop,
            Bootstrap bootstrap,
            ProxySettings settings,
            ProxyMetrics metrics,
            Consumer<OriginPool> onEmpty,
            LongSupplier clock) {
        this.clock = clock;
        this.endpoint = endpoint;
        this.onEmpty = onEmpty;
        this.loop = loop;
        this.bootstrap = bootstrap;
        this.settings = settings;
        this.metrics = metrics;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** Connections handed out and not yet returned: the load that least-request balancing compares. */
    int inFlight() {
        return busy;
    }

    /** A pooled connection still active, else a new one; {@code fresh} skips the idle ones (stale-retry). */
    Future<Channel> acquire(boolean fresh) {
        return acquire(fresh, null);
    }

    /**
     * As {@link #acquire(boolean)}; a new connection uses {@code connectTimeout} (a route's
     * {@code proxy-connect-timeout}) instead of the pool's when it is not null.
     */
    Future<Channel> acquire(boolean fresh, @Nullable Duration connectTimeout) {
        Channel pooled = fresh ? null : pollIdle();
        if (pooled != null) {
            return loop.newSucceededFuture(pooled);
        }
        if (open >= settings.maxConnectionsPerEndpoint()) {
            return loop.newFailedFuture(new Exhausted(
                    "connection limit " + settings.maxConnectionsPerEndpoint() + " reached for " + endpoint));
        }
        open++;
        busy++;
        Promise<Channel> promise = loop.newPromise();
        long start = clock.getAsLong();
        Bootstrap using = connectTimeout == null
                ? bootstrap
                : bootstrap.clone().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        ChannelFuture connect = using.connect(endpoint.address(), endpoint.port());
        Channel channel = connect.channel();
        channel.closeFuture().addListener(f -> {
            idle.remove(channel); // the close future completes before channelInactive reaches OriginHandler
            open--;
            if (open == 0 && busy == 0 && idle.isEmpty()) {
                onEmpty.accept(this);
            }
        });
        connect.addListener(f -> {
            if (f.isSuccess()) {
                metrics.connectDuration(clock.getAsLong() - start);
                OriginHandler.of(channel).pool(this);
                SslHandler tls = channel.pipeline().get(SslHandler.class);
                if (tls == null) {
                    promise.setSuccess(channel);
                } else {
                    handshake(channel, tls, promise);
                }
            } else {
                busy--;
                promise.setFailure(f.cause());
            }
        });
        return promise;
    }

    /**
     * A TLS origin's connection is handed out only after its handshake: a wrong certificate is then a failed connect
     * (502, the next endpoint tried), never a request sent to an unverified peer.
     */
    private void handshake(Channel channel, SslHandler tls, Promise<Channel> promise) {
        channel.read(); // auto-read is off: the first read lets the handshake progress (SslHandler asks for the rest)
        tls.handshakeFuture().addListener(h -> {
            if (h.isSuccess()) {
                promise.setSuccess(channel);
            } else {
                busy--;
                channel.close();
                promise.setFailure(h.cause());
            }
        });
    }

    /**
     * The most recently used idle connection that is still active, now counted busy, or {@code null}: the common case
     * of {@link #acquire}, without a future.
     */
    @Nullable
    Channel pollIdle() {
        Channel ch;
        while ((ch = idle.pollLast()) != null) {
            OriginHandler.of(ch).leavePool();
            if (ch.isActive()) {
                busy++;
                return ch;
            }
            ch.close();
        }
        return null;
    }

    /** Takes back a connection after a clean, complete exchange; closes it if the pool is full or it is gone. */
    void release(Channel ch) {
        if (!ch.isActive() || idle.size() >= settings.maxIdlePerEndpoint()) {
            discard(ch);
            return;
        }
        busy--;
        idle.addLast(ch);
        OriginHandler.of(ch).enterPool(clock.getAsLong());
        if (!sweepArmed) {
            armSweep(settings.poolIdleTimeout().toNanos());
        }
    }

    /** Closes a connection that must not be reused (broken, unfinished or upgraded exchange). */
    void discard(Channel ch) {
        busy--;
        ch.close();
        if (open == 0 && busy == 0 && idle.isEmpty()) {
            onEmpty.accept(this); // it had closed already, while still counted busy
        }
    }

    /** The connection left HTTP for good (an upgrade): no longer busy, still counted as open until it closes. */
    void handOff() {
        busy--;
    }

    /** An idle connection closed by the origin or by its idle timer leaves the pool. */
    void removeIdle(Channel ch) {
        idle.remove(ch);
    }

    private void armSweep(long delayNanos) {
        sweepArmed = true;
        loop.schedule(this::sweep, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Closes the connections idle for longer than the timeout, then re-arms for the oldest one left. */
    private void sweep() {
        sweepArmed = false;
        long timeout = settings.poolIdleTimeout().toNanos();
        long now = clock.getAsLong();
        Channel oldest;
        while ((oldest = idle.peekFirst()) != null) {
            OriginHandler handler = OriginHandler.of(oldest);
            long age = handler == null ? timeout : now - handler.idleSince(); // no handler: closed, drop it
            if (age < timeout) {
                armSweep(timeout - age);
                return;
            }
            idle.pollFirst();
            oldest.close();
        }
    }
}
