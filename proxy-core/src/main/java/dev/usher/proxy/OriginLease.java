package dev.usher.proxy;

import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;

/**
 * The origin connection one attempt of an {@link Exchange} holds, and the pool it goes back to: it is either handed
 * back after a clean exchange ({@link #finish()}) or discarded, exactly once.
 */
final class OriginLease {

    final Channel channel;
    private final OriginHandler handler;
    private final OriginPool pool;

    private OriginLease(Channel channel, OriginPool pool) {
        this.channel = channel;
        this.handler = OriginHandler.of(channel);
        this.pool = pool;
    }

    /** Binds {@code channel}, borrowed from {@code pool}, to {@code exchange}. */
    static OriginLease attach(Channel channel, OriginPool pool, Exchange exchange, boolean head) {
        OriginLease lease = new OriginLease(channel, pool);
        lease.handler.attach(exchange, head);
        return lease;
    }

    OriginPool pool() {
        return pool;
    }

    /** Whether the connection served an exchange before (a reused keep-alive connection may be stale). */
    boolean reused() {
        return handler.reused();
    }

    /** Whether the origin refused the HTTP/2 stream unprocessed ({@link OriginHandler#refused()}). */
    boolean refused() {
        return handler.refused();
    }

    /** The exchange ended cleanly: back to the pool once this read batch is over (see {@link OriginHandler}). */
    void finish() {
        handler.finish();
    }

    /** Never reused: detached from the exchange and closed. */
    void discard() {
        handler.detach();
        pool.discard(channel);
    }

    /** Discards {@code lease} if there is one; returns {@code null}, what the holder's field becomes. */
    static @Nullable OriginLease discardIfAny(@Nullable OriginLease lease) {
        if (lease != null) {
            lease.discard();
        }
        return null;
    }
}
