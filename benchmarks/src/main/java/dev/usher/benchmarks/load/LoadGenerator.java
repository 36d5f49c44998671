package dev.usher.benchmarks.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives HTTP/1.1 keep-alive load at one address and measures it.
 *
 * <p>Design: each of the {@code connections} slots keeps one connection with at most one request in flight. In the
 * closed-loop mode a slot sends its next request as soon as the previous response ends. In the open-loop mode each
 * slot follows its own fixed schedule ({@code rate / connections} per second, slots staggered) and a response's
 * latency runs from the request's <em>intended</em> send time, so a stall is charged to every request it delayed
 * (the coordinated-omission correction of wrk2). Requests are pre-encoded once and written as shared read-only
 * buffers. Latencies go to one HdrHistogram {@link Recorder}; the calling thread takes an interval histogram each
 * second for progress and adds the counted ones up. A failed connection is counted and replaced.
 */
public final class LoadGenerator {

    private LoadGenerator() {}

    /** Runs warm-up plus the counted window, then closes every connection; blocks the caller throughout. */
    public static Measurement run(LoadSettings settings, Progress progress) throws InterruptedException {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(progress, "progress");
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup group =
                new MultiThreadIoEventLoopGroup(settings.threads(), new DefaultThreadFactory("load-client"), io);
        Class<? extends SocketChannel> channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        LoadRun run = new LoadRun(settings, encode(settings));
        try {
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channel(channelType)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(
                            Integer.MAX_VALUE, settings.requestTimeout().toMillis()))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            // each Slot sets its own initializer; this one only makes the template valid
                        }
                    });
            long start = System.nanoTime();
            List<Slot> slots = new ArrayList<>();
            for (int i = 0; i < settings.connections(); i++) {
                long firstSend = start + settings.intervalNanos() * i / settings.connections();
                slots.add(new Slot(i, run, bootstrap, group.next(), firstSend));
            }
            slots.forEach(Slot::connect);
            return measure(run, progress, start);
        } finally {
            run.stop();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
            run.release();
        }
    }

    private static Measurement measure(LoadRun run, Progress progress, long start) throws InterruptedException {
        LoadSettings settings = run.settings();
        long countFrom = start + settings.warmup().toNanos();
        long end = countFrom + settings.duration().toNanos();
        Histogram total = new Histogram(3);
        Histogram interval = null;
        long lastTick = start;
        LoadRun.Window window = run.window();
        boolean counting = settings.warmup().isZero();
        if (counting) {
            window = run.startCounting();
            progress.countingStarted();
        }
        while (true) {
            long now = System.nanoTime();
            long nextTick = Math.min(lastTick + TimeUnit.SECONDS.toNanos(1), counting ? end : countFrom);
            if (now < nextTick) {
                TimeUnit.NANOSECONDS.sleep(Math.min(nextTick - now, TimeUnit.MILLISECONDS.toNanos(50)));
                continue;
            }
            boolean last = counting && now >= end;
            if (last) {
                run.stop(); // first, so that the final interval and the counters hold exactly the same responses
            }
            interval = window.recorder.getIntervalHistogram(interval);
            if (counting) {
                total.add(interval);
            }
            progress.tick((now - start) / 1e9, counting, Latency.of(interval), window.counters.snapshot());
            lastTick = now;
            if (last) {
                progress.countingEnded();
                return new Measurement(
                        total.getTotalCount(), (now - countFrom) / 1e9, Latency.of(total), window.counters.snapshot());
            }
            if (!counting && now >= countFrom) {
                counting = true;
                window = run.startCounting();
                interval = null; // a recycled interval histogram must come from the same recorder
                progress.countingStarted();
            }
        }
    }

    /** Each request shape as the exact bytes to send (head plus a body of '.' when asked); the caller releases. */
    static ByteBuf[] encode(LoadSettings settings) {
        int bodySize = settings.requestBodySize();
        byte[] body = new byte[bodySize];
        Arrays.fill(body, (byte) '.');
        ByteBuf[] encoded = new ByteBuf[settings.requests().size()];
        for (int i = 0; i < encoded.length; i++) {
            RequestTarget target = settings.requests().get(i);
            String head = (bodySize > 0 ? "POST " : "GET ") + target.path() + " HTTP/1.1\r\nHost: " + target.host()
                    + "\r\nUser-Agent: usher-bench\r\n"
                    + (bodySize > 0 ? "Content-Length: " + bodySize + "\r\nContent-Type: text/plain\r\n" : "")
                    + "\r\n";
            ByteBuf buf = Unpooled.directBuffer(head.length() + bodySize);
            buf.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1)).writeBytes(body);
            encoded[i] = buf;
        }
        return encoded;
    }
}
