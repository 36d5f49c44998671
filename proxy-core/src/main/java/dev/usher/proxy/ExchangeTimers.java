package dev.usher.proxy;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The two clocks of an {@link Exchange}, on its event loop.
 *
 * <ul>
 *   <li>Response timeout: from the request being fully sent until the response head
 *       ({@link ProxySettings#responseTimeout()}).</li>
 *   <li>Client watchdog: a client that stops sending its body, or stops reading its response, for
 *       {@link ProxySettings#clientIdleTimeout()} (nginx's {@code client_body_timeout} and {@code send_timeout}). It is
 *       one timer per exchange re-armed lazily from a timestamp, so streaming a large body costs no timer per
 *       chunk.</li>
 * </ul>
 */
final class ExchangeTimers {

    private final EventExecutor executor;
    private final long responseNanos;
    private final long idleNanos;
    private final Runnable onResponseTimeout;
    private final BooleanSupplier waitingOnClient;
    private final Runnable onClientStalled;
    private ScheduledFuture<?> response;
    private ScheduledFuture<?> watchdog;
    private long lastClientProgress;

    ExchangeTimers(EventExecutor executor, ProxySettings settings, Runnable onResponseTimeout,
            BooleanSupplier waitingOnClient, Runnable onClientStalled) {
        this.executor = executor;
        this.responseNanos = settings.responseTimeout().toNanos();
        this.idleNanos = settings.clientIdleTimeout().toNanos();
        this.onResponseTimeout = onResponseTimeout;
        this.waitingOnClient = waitingOnClient;
        this.onClientStalled = onClientStalled;
    }

    /** The client sent bytes or took some: its idle clock restarts. */
    void clientProgress() {
        lastClientProgress = System.nanoTime();
    }

    void startWatchdog() {
        clientProgress();
        if (watchdog == null) {
            watchdog = executor.schedule(this::checkClient, idleNanos, TimeUnit.NANOSECONDS);
        }
    }

    void armResponse() {
        if (response == null) {
            response = executor.schedule(this::responseExpired, responseNanos, TimeUnit.NANOSECONDS);
        }
    }

    void cancelResponse() {
        if (response != null) {
            response.cancel(false);
            response = null;
        }
    }

    void cancelAll() {
        cancelResponse();
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
    }

    private void responseExpired() {
        response = null;
        onResponseTimeout.run();
    }

    private void checkClient() {
        watchdog = null;
        long quiet = System.nanoTime() - lastClientProgress;
        boolean waiting = waitingOnClient.getAsBoolean();
        if (waiting && quiet >= idleNanos) {
            onClientStalled.run();
        } else {
            watchdog = executor.schedule(this::checkClient, waiting ? idleNanos - quiet : idleNanos,
                    TimeUnit.NANOSECONDS);
        }
    }
}
