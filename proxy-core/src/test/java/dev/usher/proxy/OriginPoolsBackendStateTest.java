package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.BackendRef;
import dev.usher.routing.PortRef;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A loop's per-backend state (round-robin position and retry budget) is one entry per Service port, whatever
 * instance of {@link BackendRef} names it: a new routing snapshot builds equal references, and the last one looked up
 * is remembered by identity.
 */
final class OriginPoolsBackendStateTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry(), List.of());
    private final OriginPools pools = new OriginPools(
            group.next(),
            Transports.of(Transport.NIO),
            ProxySettings.builder().build(),
            metrics,
            null,
            new AllocationGuard(metrics),
            System::nanoTime,
            DefaultAddressResolverGroup.INSTANCE,
            new DefaultChannelGroup(GlobalEventExecutor.INSTANCE));

    @AfterEach
    void stop() throws InterruptedException {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }

    private static BackendRef app() {
        return new BackendRef("default", "app", PortRef.number(8080)); // a new instance each time, as a new snapshot's
    }

    @Test
    void equalReferences_shareOnePositionAndOneBudget() {
        BackendRef first = app();
        BackendRef second = app();

        assertThat(pools.nextCursor(first)).isZero();
        assertThat(pools.nextCursor(second)).isEqualTo(1);
        assertThat(pools.nextCursor(first)).isEqualTo(2);
        assertThat(pools.retryBudget(second)).isSameAs(pools.retryBudget(first));
    }

    @Test
    void alternatingBackends_keepTheirOwnPositionsAndBudgets() {
        BackendRef app = app();
        BackendRef other = new BackendRef("default", "other", PortRef.number(8080));
        BackendRef viaClusterIp = app.viaClusterIp(); // a backend of its own

        assertThat(pools.nextCursor(app)).isZero();
        assertThat(pools.nextCursor(other)).isZero();
        assertThat(pools.nextCursor(viaClusterIp)).isZero();
        assertThat(pools.nextCursor(app)).isEqualTo(1);
        assertThat(pools.nextCursor(other)).isEqualTo(1);
        assertThat(pools.nextCursor(app())).isEqualTo(2);
        assertThat(pools.retryBudget(app)).isNotSameAs(pools.retryBudget(other));
        assertThat(pools.retryBudget(app)).isNotSameAs(pools.retryBudget(viaClusterIp));
    }
}
