package dev.usher.proxy;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The blocking half of request buffering: a small pool of threads, shared by every event loop of one
 * {@link ProxyServer}, that writes request bodies to temporary files and deletes them, so that no event loop ever
 * waits on a disk.
 *
 * <p>Each {@link BufferedBody} has at most one task here at a time (the exchange stops reading its client until the
 * write is done), so the queue holds at most one task per client connection.
 */
final class BodySpool implements AutoCloseable {

    private final Path dir;
    private final ThreadPoolExecutor executor;

    /** @throws IllegalStateException if {@code dir} does not exist and cannot be created */
    BodySpool(Path dir, int threads) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the request body directory " + dir + ": " + e, e);
        }
        this.dir = dir;
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory("usher-body-spool", true));
        executor.allowCoreThreadTimeOut(true);
    }

    /** Where body files are created ({@link ProxySettings#clientBodyTempDir()}). */
    Path dir() {
        return dir;
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
