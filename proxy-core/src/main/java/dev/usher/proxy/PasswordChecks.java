package dev.usher.proxy;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Bounded: at most {@link #QUEUE} checks wait, and at most {@link #PER_CLIENT} of one client address; beyond that
 * a request gets a 503 at once instead of queueing behind a flood of guesses (credentials checked once are cached, so
 * clients already logged in never queue).
 */
final class PasswordChecks implements AutoCloseable {

    /** The most checks that wait for a thread. */
    static final int QUEUE = 256;

    /**
     * The most checks one client address may have waiting or running: a client guessing passwords (on many
     * connections, or many HTTP/2 streams) takes a few threads' turns at most, not the whole queue.
     */
    static final int PER_CLIENT = 8;

    private final ConcurrentHashMap<String, Integer> perClient = new ConcurrentHashMap<>();

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
     * @param client the client's address: it may have {@link #PER_CLIENT} checks waiting or running at once
     * @return null, or why the check was refused (too many waiting, for the proxy or this client; the server closed):
     *     then {@code check} is dropped and {@code done} is never called
     */
    @Nullable
    String submit(BasicAuthVerifier.Pending check, String client, EventExecutor loop, Consumer<Boolean> done) {
        if (!take(client)) {
            drop(check);
            return "too many password checks under way for this client";
        }
        try {
            executor.execute(() -> {
                boolean passed;
                try {
                    passed = check.run();
                } finally {
                    give(client);
                }
                try {
                    loop.execute(() -> done.accept(passed));
                } catch (RejectedExecutionException shutDown) {
                    // the server is closing: the connection goes with it
                }
            });
            return null;
        } catch (RejectedExecutionException full) {
            give(client);
            drop(check);
            return "too many password checks under way";
        }
    }

    /** Checks of each client waiting or running now (for tests: a client that is done holds no entry). */
    Map<String, Integer> perClient() {
        return Map.copyOf(perClient);
    }

    private boolean take(String client) {
        boolean[] taken = {false};
        perClient.compute(client, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= PER_CLIENT) {
                return n;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    private void give(String client) {
        perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
    }

    private static void drop(BasicAuthVerifier.Pending check) {
        check.cancel();
        check.run(); // cancelled: only wipes the password copy
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.shutdownNow(); // a check left waiting has a client that is closing too
        }
    }
}
