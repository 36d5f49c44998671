package dev.usher.proxy;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The blocking half of request buffering: a small pool of threads, shared by every event loop of one
 * {@link ProxyServer}, that writes request bodies to temporary files and deletes them, so that no event loop ever
 * waits on a disk.
 *
 * <p>Each {@link BufferedBody} has at most one task here at a time (the exchange stops reading its client until the
 * write is done), so the queue holds at most one task per client connection.
 *
 * <p>The bytes in body files are budgeted ({@link ProxySettings#clientBodyTempMaxBytes()}): a volume that fills up
 * fails every upload, and an {@code emptyDir} over its size limit gets the pod evicted, so past the budget a request
 * is refused (503) instead.
 */
final class BodySpool implements AutoCloseable {

    private final Path dir;
    private final ThreadPoolExecutor executor;
    private final long maxBytes;
    private final AtomicLong reserved = new AtomicLong();

    /**
     * @param maxBytes the most bytes all body files together may hold, 0 for no limit
     * @throws IllegalStateException if {@code dir} does not exist and cannot be created
     */
    BodySpool(Path dir, int threads, long maxBytes) {
        this.maxBytes = maxBytes;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the request body directory " + dir + ": " + e, e);
        }
        this.dir = dir;
        this.executor = new ThreadPoolExecutor(
                threads,
                threads,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                new DefaultThreadFactory("usher-body-spool", true));
        executor.allowCoreThreadTimeOut(true);
    }

    /** Where body files are created ({@link ProxySettings#clientBodyTempDir()}). */
    Path dir() {
        return dir;
    }

    /** Reserves {@code n} bytes of file space; false when that would pass the budget. Any thread. */
    boolean reserve(long n) {
        long now;
        do {
            now = reserved.get();
            if (maxBytes > 0 && now + n > maxBytes) {
                return false;
            }
        } while (!reserved.compareAndSet(now, now + n));
        return true;
    }

    /** Returns space taken with {@link #reserve(long)} once its file is deleted. */
    void free(long n) {
        reserved.addAndGet(-n);
    }

    /** Runs {@code task} on a spool thread; once closed, on the caller (only clean-up runs that late). */
    void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException closed) {
            task.run();
        }
    }

    /** Lets queued tasks finish (their files are deleted), waiting a little for them. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
