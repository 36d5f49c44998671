package dev.usher.proxy;

import dev.usher.routing.RouteTimeouts;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The two clocks of an {@link Exchange}, on its event loop.
 *
 * <ul>
 *   <li>Response timeout: from the request being fully sent until the response head
 *       ({@link ProxySettings#responseTimeout()}).</li>
 *   <li>Client watchdog: a client that pauses its body for {@link ProxySettings#clientBodyTimeout()} (nginx's
 *       {@code client_body_timeout}; while a body is buffered as well as while it streams), or stops reading its
 *       response for {@link ProxySettings#clientIdleTimeout()} (nginx's {@code send_timeout}). It is one timer per
 *       exchange re-armed lazily from a timestamp, so a large body costs no timer per chunk.</li>
 *   <li>The same watchdog gives an origin that stops reading the request body {@link ProxySettings#responseTimeout()}
 *       to take more (nginx's {@code proxy_send_timeout}).</li>
 *   <li>A route's {@code proxy-read-timeout} replaces the response timeout and its {@code proxy-send-timeout} the
 *       origin-stall limit ({@link RouteTimeouts}).</li>
 * </ul>
 * Time is the executor's {@link io.netty.util.concurrent.Ticker}, the clock its scheduled tasks run by, so a test on
 * an {@code EmbeddedChannel} with frozen time decides exactly when each timer fires ({@code ExchangeTimersTest}).
 */
final class ExchangeTimers {

    private final EventExecutor executor;
    private final long responseNanos;
    private final long sendNanos;
    private final long idleNanos;
    private final long bodyNanos;
    private final Runnable onResponseTimeout;
    private final BooleanSupplier waitingOnClientBody;
    private final BooleanSupplier waitingOnClientRead;
    private final Runnable onClientStalled;
    private final BooleanSupplier waitingOnOrigin;
    private final Runnable onOriginStalled;
    private @Nullable ScheduledFuture<?> response;
    private @Nullable ScheduledFuture<?> watchdog;
    private @Nullable ScheduledFuture<?> deadline;
    /** When the gRPC deadline passes, on the executor's ticker; meaningful only while {@link #deadline} is armed. */
    private long deadlineAt;

    private long lastClientProgress;

    /**
     * @param route the route's own read ({@code proxy-read-timeout}) and send ({@code proxy-send-timeout}) timeouts,
     *     each overriding {@link ProxySettings#responseTimeout()} when set
     * @param waitingOnClientBody the client owes body bytes that Usher is ready to take
     * @param waitingOnClientRead the client has not taken the response bytes written to it
     */
    ExchangeTimers(
            EventExecutor executor,
            ProxySettings settings,
            RouteTimeouts route,
            Runnable onResponseTimeout,
            BooleanSupplier waitingOnClientBody,
            BooleanSupplier waitingOnClientRead,
            Runnable onClientStalled,
            BooleanSupplier waitingOnOrigin,
            Runnable onOriginStalled) {
        this.executor = executor;
        this.responseNanos =
                RouteTimeouts.or(route.read(), settings.responseTimeout()).toNanos();
        this.sendNanos =
                RouteTimeouts.or(route.send(), settings.responseTimeout()).toNanos();
        this.idleNanos = settings.clientIdleTimeout().toNanos();
        this.bodyNanos = settings.clientBodyTimeout().toNanos();
        this.onResponseTimeout = onResponseTimeout;
        this.waitingOnClientBody = waitingOnClientBody;
        this.waitingOnClientRead = waitingOnClientRead;
        this.onClientStalled = onClientStalled;
        this.waitingOnOrigin = waitingOnOrigin;
        this.onOriginStalled = onOriginStalled;
    }

    /** Body bytes moved (the client sent some, or the origin took some): the stall clock restarts. */
    void progress() {
        lastClientProgress = executor.ticker().nanoTime();
    }

    void startWatchdog() {
        progress();
        if (watchdog == null) {
            watchdog = executor.schedule(this::checkClient, checkPeriod(), TimeUnit.NANOSECONDS);
        }
    }

    void armResponse() {
        if (response == null) {
            response = executor.schedule(this::responseExpired, responseNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * A gRPC call's own deadline ({@code grpc-timeout}, {@link Grpc#timeoutNanos}), from the request head to the
     * response head, whatever the attempts; beside the response timeout, so the earlier of the two fires.
     *
     * @param nanos negative: no deadline
     */
    void armDeadline(long nanos, Runnable expired) {
        if (nanos >= 0) {
            deadlineAt = executor.ticker().nanoTime() + nanos;
            deadline = executor.schedule(
                    () -> {
                        deadline = null;
                        expired.run();
                    },
                    nanos,
                    TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The armed gRPC deadline has passed, whether or not its task has run yet. An origin that enforces the same
     * {@code grpc-timeout} (grpc-java does) resets the stream at about the same moment; that failure can reach the
     * exchange before the deadline task does, and must still be reported as the deadline.
     */
    boolean deadlineOver() {
        return deadline != null && executor.ticker().nanoTime() - deadlineAt >= 0;
    }

    /** The response head arrived: neither the response timeout nor a gRPC deadline applies any more. */
    void cancelResponse() {
        cancelResponseTimer();
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** An attempt ended and another follows: its clocks stop, the call's deadline keeps running. */
    void cancelAttempt() {
        cancelResponseTimer();
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
    }

    void cancelAll() {
        cancelAttempt();
        cancelResponse();
    }

    private void cancelResponseTimer() {
        if (response != null) {
            response.cancel(false);
            response = null;
        }
    }

    private long checkPeriod() {
        return Math.min(Math.min(idleNanos, bodyNanos), Math.min(responseNanos, sendNanos));
    }

    private void responseExpired() {
        response = null;
        onResponseTimeout.run();
    }

    private void checkClient() {
        watchdog = null;
        long quiet = executor.ticker().nanoTime() - lastClientProgress;
        long limit =
                waitingOnClientBody.getAsBoolean() ? bodyNanos : waitingOnClientRead.getAsBoolean() ? idleNanos : -1;
        if (limit > 0) {
            if (quiet >= limit) {
                onClientStalled.run();
                return;
            }
            watchdog = executor.schedule(this::checkClient, Math.min(limit - quiet, sendNanos), TimeUnit.NANOSECONDS);
        } else if (waitingOnOrigin.getAsBoolean()) {
            if (quiet >= sendNanos) {
                onOriginStalled.run();
                return;
            }
            watchdog =
                    executor.schedule(this::checkClient, Math.min(idleNanos, sendNanos - quiet), TimeUnit.NANOSECONDS);
        } else {
            watchdog = executor.schedule(this::checkClient, checkPeriod(), TimeUnit.NANOSECONDS);
        }
    }
}
