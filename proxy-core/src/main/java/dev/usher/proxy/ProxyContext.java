package dev.usher.proxy;

import dev.usher.routing.RoutingTable;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntUnaryOperator;

/**
 * What every connection of one {@link ProxyServer} shares. Immutable after start except {@link #draining()}, which
 * flips once.
 *
 * @param poolsByLoop each event loop's own {@link OriginPools}; read-only after start
 * @param connections every open client connection, for drain and close
 * @param spool the threads that write buffered request bodies to files
 * @param allocationGuard the shared handler that confines an allocation failure to its connection
 * @param rateLimiter the state of every Ingress's {@code limit-*} annotations, shared by all event loops
 * @param canaryRandom an int in {@code [0, bound)} for canary weights; called from every event loop
 * @param passwordChecks the threads that run Basic authentication's bcrypt checks
 */
record ProxyContext(
        RoutingTable table,
        ProxySettings settings,
        ProxyMetrics metrics,
        AccessLog accessLog,
        LoadBalancer loadBalancer,
        Map<EventExecutor, OriginPools> poolsByLoop,
        ChannelGroup connections,
        DrainFlag drainFlag,
        BodySpool spool,
        AllocationGuard allocationGuard,
        RateLimiter rateLimiter,
        IntUnaryOperator canaryRandom,
        PasswordChecks passwordChecks) {

    OriginPools pools(EventLoop loop) {
        return Objects.requireNonNull(poolsByLoop.get(loop), "every event loop has its pools");
    }

    boolean draining() {
        return drainFlag.draining;
    }

    /** Set once by {@link ProxyServer#drain}; read by handlers deciding whether to keep a connection alive. */
    static final class DrainFlag {
        volatile boolean draining;
    }
}
