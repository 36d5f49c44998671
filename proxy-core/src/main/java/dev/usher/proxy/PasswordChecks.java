package dev.usher.proxy;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The threads that run Basic authentication's bcrypt checks ({@link BasicAuthVerifier.Pending}), so that a client
 * guessing passwords - a quarter of a second of CPU per guess at cost 12 - never stalls an event loop and the other
 * connections on it. The request waits meanwhile, reading nothing, as it waits for an {@code auth-url} verdict.
 *
 * <p>Bounded: at most {@link #QUEUE} checks wait; beyond that a request gets a 503 at once instead of queueing behind
 * a flood of guesses (credentials checked once are cached, so clients already logged in never queue).
 */
final class PasswordChecks implements AutoCloseable {

    /** The most checks that wait for a thread. */
    static final int QUEUE = 256;

    private final Executor executor;
    private final @Nullable ThreadPoolExecutor owned;

    /** Checks on {@code min(4, processors)} daemon threads that exit when idle. */
    PasswordChecks() {
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                threads,
                threads,
                30,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE),
                new DefaultThreadFactory("usher-password-check", true));
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
        this.owned = pool;
    }

    /** Checks on {@code executor} (tests: one that runs them when told); closing leaves it alone. */
    PasswordChecks(Executor executor) {
        this.executor = executor;
        this.owned = null;
    }

    /**
     * Runs {@code check} off the event loop and hands its verdict to {@code done} on {@code loop}.
     *
     * @return false when too many checks wait already (or the server closed): {@code check} is dropped and
     *     {@code done} is never called
     */
    boolean submit(BasicAuthVerifier.Pending check, EventExecutor loop, Consumer<Boolean> done) {
        try {
            executor.execute(() -> {
                boolean passed = check.run();
                try {
                    loop.execute(() -> done.accept(passed));
                } catch (RejectedExecutionException shutDown) {
                    // the server is closing: the connection goes with it
                }
            });
            return true;
        } catch (RejectedExecutionException full) {
            check.cancel();
            check.run(); // cancelled: only wipes the password copy
            return false;
        }
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.shutdownNow(); // a check left waiting has a client that is closing too
        }
    }
}
