package dev.usher.proxy;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ThreadAwareExecutor;
import io.netty.util.concurrent.Ticker;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * An event loop group whose loops read the clock once per batch of I/O events, as nginx reads it once per turn of its
 * loop (its {@code ngx_current_msec}), instead of at every stamp a request takes: the request record's start, end and
 * upstream times, the exchange's timers, the connection's clock and Netty's own scheduler. Each costs a {@code
 * clock_gettime}, about twenty per proxied request.
 *
 * <p>Each loop's {@link #ticker() ticker} answers, on the loop's own thread while it handles a batch of I/O events,
 * the time read when the batch began; at any other moment, and on any other thread, it reads the clock. The batch
 * begins when the transport's wait returns: epoll, io_uring and NIO all ask their context {@link
 * IoHandlerContext#shouldReportActiveIoTime()} right after the wait and before they handle what it returned, and that
 * question is where the time is read. A loop that idled for a minute therefore stamps its next request with the time
 * the wait ended, never with the time it began; a transport that never asked would read the clock at every stamp, as
 * before. The batch ends when the transport's {@code run} returns, so the loop's tasks (timeouts firing, work handed
 * over from other threads) read the clock as they always did, and Netty's limit on their time keeps working.
 *
 * <p>What a stamp can be off by is the time the batch has taken so far: a request handled late in a batch is stamped
 * as if it came at the batch's start (its recorded duration includes the wait in the batch, which its client saw too),
 * and a timer set then fires at most that much early. A batch takes tens to hundreds of microseconds; the shortest
 * timeout Usher sets is a second.
 *
 * <p>The answer to {@code shouldReportActiveIoTime} is {@code false}: the loops' active I/O time is only used to let an
 * auto-scaling group suspend idle loops, and Usher's groups are fixed in size. Reporting it would read the clock twice
 * more per batch.
 */
final class BatchClockGroup extends MultiThreadIoEventLoopGroup {

    BatchClockGroup(int loops, ThreadFactory threads, IoHandlerFactory io) {
        super(loops, threads, io);
    }

    @Override
    protected IoEventLoop newChild(Executor executor, IoHandlerFactory io, Object... args) {
        BatchTicker ticker = new BatchTicker();
        return new Loop(this, executor, new Factory(io, ticker), ticker);
    }

    /** The time as a loop sees it: read at the start of each I/O batch, on the loop's thread during that batch. */
    static final class BatchTicker implements Ticker {
        private static final Ticker SYSTEM = Ticker.systemTicker();

        // Written by the loop's thread only. Another thread may see any of their values; it reads the clock either
        // way, since it is not the loop's thread.
        private @Nullable Thread loopThread;
        private boolean inBatch;
        private long batchStart;
        private boolean wallRead;
        private long batchWallMillis;

        @Override
        public long initialNanoTime() {
            return SYSTEM.initialNanoTime();
        }

        @Override
        public long nanoTime() {
            return inBatch && Thread.currentThread() == loopThread ? batchStart : SYSTEM.nanoTime();
        }

        @Override
        public void sleep(long delay, TimeUnit unit) throws InterruptedException {
            SYSTEM.sleep(delay, unit);
        }

        /**
         * The wall clock in milliseconds, as {@link System#currentTimeMillis()}: on the loop's thread during a batch,
         * read at its first use in the batch; otherwise read now.
         */
        long wallMillis() {
            if (inBatch && Thread.currentThread() == loopThread) {
                if (!wallRead) {
                    batchWallMillis = System.currentTimeMillis();
                    wallRead = true;
                }
                return batchWallMillis;
            }
            return System.currentTimeMillis();
        }

        /** The transport's wait returned: the time is read once, for the whole batch. */
        void batchStarts() {
            batchStart = SYSTEM.nanoTime();
            wallRead = false;
            loopThread = Thread.currentThread(); // a suspended loop may resume on another thread
            inBatch = true;
        }

        void batchEnds() {
            inBatch = false;
        }
    }

    /**
     * {@link System#nanoTime()} as {@code loop} sees it: read once per batch on its thread while it handles one, else
     * read now. A loop of another group reads it always.
     */
    static LongSupplier nanoClock(EventExecutor loop) {
        Ticker ticker = loop.ticker();
        long origin = ticker.initialNanoTime();
        return () -> ticker.nanoTime() + origin;
    }

    /** The batch ticker of the loop whose thread calls, or null when it is not such a loop's thread. */
    static @Nullable BatchTicker current() {
        return ThreadExecutorMap.currentExecutor() instanceof Loop loop ? loop.batchTicker : null;
    }

    /** A loop whose ticker is its batch ticker; the superclass's constructor asks for it before it is set. */
    private static final class Loop extends SingleThreadIoEventLoop {
        private final @Nullable BatchTicker batchTicker;

        Loop(IoEventLoopGroup parent, Executor executor, IoHandlerFactory io, BatchTicker ticker) {
            super(parent, executor, io);
            this.batchTicker = ticker;
        }

        @Override
        public Ticker ticker() {
            BatchTicker ticker = batchTicker;
            return ticker != null ? ticker : super.ticker();
        }
    }

    private record Factory(IoHandlerFactory io, BatchTicker ticker) implements IoHandlerFactory {
        @Override
        public IoHandler newHandler(ThreadAwareExecutor executor) {
            return new Handler(io.newHandler(executor), ticker);
        }

        @Override
        public boolean isChangingThreadSupported() {
            return io.isChangingThreadSupported();
        }
    }

    /**
     * The transport's handler, given a context that starts the batch when asked whether to report active time, and
     * ends the batch when the handler's turn returns.
     */
    private static final class Handler implements IoHandler, IoHandlerContext {
        private final IoHandler io;
        private final BatchTicker ticker;
        private @Nullable IoHandlerContext loop; // the loop's own context, the same object on every turn

        Handler(IoHandler io, BatchTicker ticker) {
            this.io = io;
            this.ticker = ticker;
        }

        @Override
        public int run(IoHandlerContext context) {
            loop = context;
            try {
                return io.run(this);
            } finally {
                ticker.batchEnds();
            }
        }

        private IoHandlerContext loop() {
            IoHandlerContext context = loop;
            if (context == null) {
                throw new IllegalStateException("asked outside the handler's turn");
            }
            return context;
        }

        @Override
        public boolean canBlock() {
            return loop().canBlock();
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return loop().delayNanos(currentTimeNanos);
        }

        @Override
        public long deadlineNanos() {
            return loop().deadlineNanos();
        }

        @Override
        public boolean shouldReportActiveIoTime() {
            ticker.batchStarts();
            return false;
        }

        @Override
        public void initialize() {
            io.initialize();
        }

        @Override
        public void prepareToDestroy() {
            io.prepareToDestroy();
        }

        @Override
        public void destroy() {
            io.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            return io.register(handle);
        }

        @Override
        public void wakeup() {
            io.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return io.isCompatible(handleType);
        }
    }
}
