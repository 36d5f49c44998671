package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The loops' clock, read once per batch of I/O events, on each transport: a batch after a long wait is stamped after
 * the wait, time stands still inside a batch for the loop's thread only, and tasks and timers read the clock.
 */
final class BatchClockGroupTest {

    private static final long MILLI = TimeUnit.MILLISECONDS.toNanos(1);

    private EventLoopGroup group;
    private Channel server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** What one read saw, on the loop's thread. */
    private record Seen(
            long first,
            long afterSpin,
            long otherThread,
            long spunUntil,
            long wall,
            long wallAfterSpin,
            long wallOtherThread) {}

    @ParameterizedTest
    @EnumSource(Transport.class)
    void theFirstReadAfterAnIdleWait_isStampedAfterTheWait_andTimeStandsStillInItsBatch(Transport transport)
            throws Exception {
        Transports transports = start(transport);
        LinkedBlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Long> active = new LinkedBlockingQueue<>();
        server = serve(transports, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                active.add(ctx.executor().ticker().nanoTime());
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                ((ByteBuf) msg).release();
                Ticker ticker = ctx.executor().ticker();
                long first = ticker.nanoTime();
                long wall = MeterClock.INSTANCE.wallTime();
                long until = Ticker.systemTicker().nanoTime() + 3 * MILLI;
                while (Ticker.systemTicker().nanoTime() < until) {
                    Thread.onSpinWait(); // real time passes inside the batch
                }
                long afterSpin = ticker.nanoTime();
                long wallAfterSpin = MeterClock.INSTANCE.wallTime();
                long otherThread =
                        CompletableFuture.supplyAsync(ticker::nanoTime).get(10, TimeUnit.SECONDS);
                long wallOtherThread = CompletableFuture.supplyAsync(MeterClock.INSTANCE::wallTime)
                        .get(10, TimeUnit.SECONDS);
                seen.add(new Seen(first, afterSpin, otherThread, until, wall, wallAfterSpin, wallOtherThread));
            }
        });
        Ticker ticker = server.eventLoop().ticker();

        try (Socket client = new Socket()) {
            client.connect(server.localAddress());
            long connected = active.poll(10, TimeUnit.SECONDS);
            // the loop waits with nothing to do; its next batch must not carry the time it started waiting
            await().atMost(Duration.ofSeconds(10)).until(() -> ticker.nanoTime() - connected > 50 * MILLI);
            long beforeWrite = ticker.nanoTime(); // not the loop's thread: the clock
            long wallBeforeWrite = System.currentTimeMillis();
            OutputStream out = client.getOutputStream();
            out.write('x');
            out.flush();

            Seen read = seen.poll(10, TimeUnit.SECONDS);
            assertThat(read).isNotNull();
            assertThat(read.first()).as("stamped after the wait").isGreaterThanOrEqualTo(beforeWrite);
            assertThat(read.afterSpin()).as("the same batch: the same time").isEqualTo(read.first());
            assertThat(read.otherThread())
                    .as("another thread reads the clock")
                    .isGreaterThanOrEqualTo(read.spunUntil());
            assertThat(read.wall())
                    .as("the meters' wall clock, after the wait")
                    .isGreaterThanOrEqualTo(wallBeforeWrite);
            assertThat(read.wallAfterSpin()).as("read once in the batch").isEqualTo(read.wall());
            assertThat(read.wallOtherThread()).as("another thread's").isGreaterThanOrEqualTo(read.wall() + 2);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void tasksReadTheClock_andATimerSetInABatchFiresNoEarlierThanItsDelayFromTheBatch(Transport transport)
            throws Exception {
        Transports transports = start(transport);
        LinkedBlockingQueue<long[]> fired = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<long[]> task = new LinkedBlockingQueue<>();
        server = serve(transports, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ((ByteBuf) msg).release();
                EventLoop loop = ctx.channel().eventLoop();
                long batch = loop.ticker().nanoTime();
                ScheduledFuture<?> unused = loop.schedule(
                        () -> fired.add(new long[] {batch, Ticker.systemTicker().nanoTime()}),
                        20,
                        TimeUnit.MILLISECONDS);
                loop.execute(() -> {
                    long first = loop.ticker().nanoTime();
                    long until = Ticker.systemTicker().nanoTime() + MILLI;
                    while (Ticker.systemTicker().nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    task.add(new long[] {first, loop.ticker().nanoTime(), until});
                });
            }
        });

        try (Socket client = new Socket()) {
            client.connect(server.localAddress());
            client.getOutputStream().write('x');
            client.getOutputStream().flush();

            long[] inTask = task.poll(10, TimeUnit.SECONDS);
            assertThat(inTask).isNotNull();
            assertThat(inTask[1]).as("a task reads the clock").isGreaterThanOrEqualTo(inTask[2]);
            long[] timer = fired.poll(10, TimeUnit.SECONDS);
            assertThat(timer).as("the timer fired").isNotNull();
            assertThat(timer[1] - timer[0]).isGreaterThanOrEqualTo(20 * MILLI);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void theLoopsNanoClock_countsAsSystemNanoTime(Transport transport) throws Exception {
        start(transport);
        EventLoop loop = group.next();
        LongSupplier clock = BatchClockGroup.nanoClock(loop);

        long before = System.nanoTime();
        long offLoop = clock.getAsLong();
        long onLoop = loop.submit(clock::getAsLong).get(10, TimeUnit.SECONDS);
        long after = System.nanoTime();

        assertThat(offLoop).isBetween(before, after);
        assertThat(onLoop).isBetween(offLoop, after);
    }

    private Transports start(Transport transport) {
        assumeTrue(transport != Transport.IO_URING || IoUring.isAvailable(), "io_uring not available here");
        assumeTrue(transport != Transport.EPOLL || Epoll.isAvailable(), "epoll not available here");
        Transports transports = Transports.of(transport);
        group = new BatchClockGroup(
                1, new DefaultThreadFactory("batch-clock-test", true), transports.ioHandlerFactory());
        return transports;
    }

    private Channel serve(Transports transports, ChannelInboundHandlerAdapter handler) throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(transports.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(handler);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .sync()
                .channel();
    }
}
