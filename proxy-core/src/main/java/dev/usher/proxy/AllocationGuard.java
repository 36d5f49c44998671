package dev.usher.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
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
 * response could silently lose a chunk, or a connection stay open with nothing to say. Stateless and shared.
 */
@ChannelHandler.Sharable
final class AllocationGuard extends ChannelDuplexHandler {

    static final long LOG_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Logger LOG = LoggerFactory.getLogger(AllocationGuard.class);

    private final ProxyMetrics metrics;
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_PERIOD_NANOS);
    private final AtomicLong unlogged = new AtomicLong();
    private final ChannelFutureListener onWritten = this::written;

    AllocationGuard(ProxyMetrics metrics) {
        this.metrics = metrics;
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
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_PERIOD_NANOS && lastLog.compareAndSet(last, now)) {
            long others = unlogged.getAndSet(0);
            LOG.warn(
                    "buffer allocation failed, closed the connection that needed it ({} more since the last such "
                            + "line): {}",
                    others,
                    cause.toString());
        } else {
            unlogged.incrementAndGet();
        }
    }
}
