package dev.usher.benchmarks.buffers;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The buffers one proxied HTTP/1.1 request takes from Netty's default (adaptive) allocator on its event loop: a read
 * buffer and an encoded head each way, written and released, as in {@code benchmarks/profile.sh}'s profiles. Netty
 * treats a heap of 512 MiB or less as low memory ({@code io.netty.allocator.lowMemory}), and then gives event loops
 * no magazines of their own: every allocation and release goes through magazines shared behind locks. Both forks run
 * with the pod's 128 MiB heap; {@code lowMemory} is Netty's choice for it, {@code eventLoopLocal} is what the
 * {@code usher} executable sets. The work runs on a Netty event loop (a JMH thread is not one), a batch of
 * {@value #REQUESTS} requests per task, so the hand-over to the loop is a small part of each operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class AllocatorBenchmark {

    static final int REQUESTS = 1_000;

    private EventLoop loop;
    private ByteBufAllocator alloc;

    @Setup(Level.Trial)
    public void start() {
        loop = new DefaultEventLoop();
        alloc = ByteBufAllocator.DEFAULT;
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await();
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    @Fork(
            value = 1,
            jvmArgsAppend = {"-Xms128m", "-Xmx128m", "-Dio.netty.allocator.lowMemory=true"})
    public long lowMemory() throws ExecutionException, InterruptedException {
        return loop.submit(this::requests).get();
    }

    @Benchmark
    @OperationsPerInvocation(REQUESTS)
    @Fork(
            value = 1,
            jvmArgsAppend = {"-Xms128m", "-Xmx128m", "-Dio.netty.allocator.lowMemory=false"})
    public long eventLoopLocal() throws ExecutionException, InterruptedException {
        return loop.submit(this::requests).get();
    }

    private long requests() {
        long sum = 0;
        for (int i = 0; i < REQUESTS; i++) {
            sum += cycle(2048, 78); // the client's request, read
            sum += cycle(512, 260); // its head, encoded for the origin
            sum += cycle(2048, 560); // the origin's response, read
            sum += cycle(1024, 620); // the response, encoded for the client
        }
        return sum;
    }

    private long cycle(int capacity, int bytes) {
        ByteBuf buf = alloc.directBuffer(capacity);
        try {
            buf.writerIndex(bytes);
            return buf.getLong(bytes - 8);
        } finally {
            buf.release();
        }
    }
}
