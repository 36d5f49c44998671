package dev.usher.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a failed buffer allocation (Netty's {@code OutOfDirectMemoryError}, or any {@link OutOfMemoryError} from an
 * allocator) end only the connection that hit it: the connection is closed, the failure counted
 * ({@code usher_allocation_failures_total}) and logged at most once per {@link #LOG_PERIOD_NANOS}.
 *
 * <p>Why a handler: an allocation fails inside Netty (a socket read, an encoder, TLS), far from Usher's code. A failed
 * read arrives here as {@code exceptionCaught}; a failed encode only fails the write's promise, which nobody might
 * look at, so this handler, sitting just behind the encoder, watches every write promise that passes it. Without it a
 * response could silently lose a chunk, or a connection stay open with nothing to say. Shared by every connection.
 *
 * <p>HTTP/1 pipelines use {@link #encoderChecked()} instead: their encoders ({@link ResponseEncoder},
 * {@link OriginRequestEncoder}) report their own failures through {@link #encodeFailed} (which closes the connection
 * for any, and counts an allocation's), so no listener is added to each write's promise on the hot path; that variant
 * ({@link ReadGuard}) only watches reads and is an inbound handler, so writes and flushes pass it by. HTTP/2
 * pipelines, whose frames are encoded by Netty's codec, keep the listener.
 */
@ChannelHandler.Sharable
final class AllocationGuard extends ChannelDuplexHandler {

    static final long LOG_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Logger LOG = LoggerFactory.getLogger(AllocationGuard.class);

    private final ProxyMetrics metrics;
    private final AtomicLong lastLog;
    private final AtomicLong unlogged;
    private final ChannelFutureListener onWritten = this::written;
    private final ReadGuard encoderChecked = new ReadGuard();

    AllocationGuard(ProxyMetrics metrics) {
        this.metrics = metrics;
        this.lastLog = new AtomicLong(System.nanoTime() - LOG_PERIOD_NANOS);
        this.unlogged = new AtomicLong();
    }

    /** The guard for a pipeline whose encoder calls {@link #encodeFailed} itself (HTTP/1): reads only. */
    ChannelHandler encoderChecked() {
        return encoderChecked;
    }

    /** The variant that leaves writes to an encoder that checks itself; it shares the count and the log's pace. */
    @ChannelHandler.Sharable
    final class ReadGuard extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            AllocationGuard.this.exceptionCaught(ctx, cause);
        }
    }

    /**
     * An HTTP/1 encoder's write threw: the connection closes, since what it wrote of the message cannot be completed
     * and nobody might look at the write's promise (a keep-alive client would wait for a response that never comes).
     * An allocation failure is counted; both are logged, at most once per period.
     */
    void encodeFailed(ChannelHandlerContext ctx, Throwable cause) {
        if (isAllocationFailure(cause)) {
            report(cause);
        } else {
            log("an HTTP/1 encoder failed, closed its connection", cause);
        }
        ctx.close();
    }

    /** Whether {@code cause}, or one of its causes, is an allocation failure. */
    static boolean isAllocationFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // A void promise already reports a failure as exceptionCaught; any other gets the listener.
        ctx.write(msg, promise.isVoid() ? promise : promise.addListener(onWritten));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (isAllocationFailure(cause)) {
            report(cause);
            ctx.close();
        }
        ctx.fireExceptionCaught(cause);
    }

    private void written(ChannelFuture f) {
        if (!f.isSuccess() && isAllocationFailure(f.cause())) {
            report(f.cause());
            f.channel().close();
        }
    }

    private void report(Throwable cause) {
        metrics.allocationFailure();
        log("buffer allocation failed, closed the connection that needed it", cause);
    }

    /** Logs {@code what} and {@code cause}, or counts it for the next line if one was logged within the period. */
    private void log(String what, Throwable cause) {
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_PERIOD_NANOS && lastLog.compareAndSet(last, now)) {
            long others = unlogged.getAndSet(0);
            LOG.warn("{} ({} more failures since the last such line): {}", what, others, cause.toString());
        } else {
            unlogged.incrementAndGet();
        }
    }
}
