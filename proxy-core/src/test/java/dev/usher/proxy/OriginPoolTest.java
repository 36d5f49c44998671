package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.routing.Endpoint;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pool's idle expiry judged by the pool's own clock: real connections to a real origin on a real event loop, with
 * a clock that stands still until the test moves it. The sweep task runs on its real-time schedule, but only the
 * clock decides whether a connection has been idle too long.
 */
final class OriginPoolTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(50);
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final TestOrigin origin = new TestOrigin("origin-0");
    private final ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry(), List.of());
    private final OriginPool pool = new OriginPool(
            new Endpoint("127.0.0.1", origin.port(), "origin-0"),
            loop,
            new Bootstrap()
                    .group(loop)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new OriginInitializer(new AllocationGuard(metrics))),
            ProxySettings.builder().poolIdleTimeout(IDLE_TIMEOUT).build(),
            metrics,
            empty -> {},
            now::get);

    @AfterEach
    void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        origin.close();
    }

    @Test
    void idleConnection_staysWhileThePoolClockStandsStill_andIsClosedOnceItPassesTheTimeout() throws Exception {
        Channel ch = onLoop(() -> pool.acquire(false)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        onLoop(() -> {
            pool.release(ch);
            return null;
        });

        // Many sweeps run on the real clock meanwhile; on the pool's clock the connection is not idle yet.
        await().during(IDLE_TIMEOUT.multipliedBy(6)).atMost(PATIENCE).until(ch::isActive);
        assertThat(origin.closedConnections.get()).isZero();

        now.addAndGet(IDLE_TIMEOUT.toNanos());
        await().atMost(PATIENCE).until(() -> !ch.isActive());
        assertThat(onLoop(() -> pool.acquire(false)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isNotSameAs(ch);
        // The origin counts a connection once it has accepted it, which may come after our connect completed.
        await().atMost(PATIENCE).until(origin.connections::get, n -> n == 2);
    }

    @Test
    void connectionReleasedLater_isReusedBeforeItsTimeout_evenWhenAnOlderOneExpires() throws Exception {
        Channel older = onLoop(() -> pool.acquire(false)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        Channel newer = onLoop(() -> pool.acquire(false)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        onLoop(() -> {
            pool.release(older);
            return null;
        });
        now.addAndGet(IDLE_TIMEOUT.toNanos() / 2);
        onLoop(() -> {
            pool.release(newer);
            return null;
        });

        now.addAndGet(IDLE_TIMEOUT.toNanos() / 2);
        await().atMost(PATIENCE).until(() -> !older.isActive());
        assertThat(newer.isActive()).isTrue();
        assertThat(onLoop(() -> pool.acquire(false)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .isSameAs(newer);
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }
}
