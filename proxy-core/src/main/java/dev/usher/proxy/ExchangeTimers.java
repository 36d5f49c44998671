package dev.usher.proxy;

import dev.usher.routing.RouteTimeouts;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
 * The clocks share one scheduled task, set for the earliest moment any of them is due. When the task runs it handles
 * every clock that is due and sets itself for the next one. That task is the client connection's {@link
 * ConnectionClock}, shared by its exchanges (one after the other on HTTP/1, side by side on HTTP/2's streams), so a
 * request usually costs no schedule and no cancel; timers without a connection clock (or armed after it closed)
 * schedule a task of their own, one for the three clocks.
 * <p>
 * Time is the executor's {@link io.netty.util.concurrent.Ticker}, the clock its scheduled tasks run by, so a test on
 * an {@code EmbeddedChannel} with frozen time decides exactly when each timer fires ({@code ExchangeTimersTest}).
 */
final class ExchangeTimers implements Runnable {

    /**
     * What the clocks ask of, and report to, the exchange they time (the exchange itself, so that a request costs no
     * callback objects).
     */
    interface Owner {
        /** The response timeout passed before the response head arrived. */
        void responseTimedOut();

        /** The client owes body bytes that Usher is ready to take. */
        boolean waitingOnClientBody();

        /** The client has not taken the response bytes written to it. */
        boolean waitingOnClientRead();

        /** The client paused its body, or its reading, for too long. */
        void clientStalled();

        /** The origin has not taken the request body bytes written to it. */
        boolean waitingOnOrigin();

        /** The origin stopped taking the request body for too long. */
        void originStalled();

        /** The gRPC deadline armed by {@link #armDeadline} passed. */
        void deadlinePassed();
    }

    private final EventExecutor executor;
    private final long responseNanos;
    private final long sendNanos;
    private final long idleNanos;
    private final long bodyNanos;
    private final Owner owner;
    private final @Nullable ConnectionClock clock;

    // Each clock is a moment on the executor's ticker, meaningful only while its flag is set.
    private boolean responseArmed;
    private long responseAt;
    private boolean watchdogArmed;
    private long watchdogAt;
    private boolean deadlineArmed;
    private long deadlineAt;

    // Membership of the connection clock's holders, a list threaded through the timers (kept by ConnectionClock).
    boolean clockHeld;

    @Nullable
    ExchangeTimers clockPrev;

    @Nullable
    ExchangeTimers clockNext;

    /** The task of its own (no connection clock, or a closed one), due at {@link #taskAt}; null when none is. */
    private @Nullable ScheduledFuture<?> task;

    private long taskAt;
    private long lastClientProgress;

    /**
     * @param route the route's own read ({@code proxy-read-timeout}) and send ({@code proxy-send-timeout}) timeouts,
     *     each overriding {@link ProxySettings#responseTimeout()} when set
     * @param owner the exchange these clocks time
     */
    ExchangeTimers(EventExecutor executor, ProxySettings settings, RouteTimeouts route, Owner owner) {
        this(executor, settings, route, owner, null);
    }

    /**
     * @param clock the connection's shared task; null: always a task of its own
     */
    ExchangeTimers(
            EventExecutor executor,
            ProxySettings settings,
            RouteTimeouts route,
            Owner owner,
            @Nullable ConnectionClock clock) {
        this.executor = executor;
        this.clock = clock;
        this.responseNanos =
                RouteTimeouts.or(route.read(), settings.responseTimeout()).toNanos();
        this.sendNanos =
                RouteTimeouts.or(route.send(), settings.responseTimeout()).toNanos();
        this.idleNanos = settings.clientIdleTimeout().toNanos();
        this.bodyNanos = settings.clientBodyTimeout().toNanos();
        this.owner = owner;
    }

    private long now() {
        return executor.ticker().nanoTime();
    }

    /** Body bytes moved (the client sent some, or the origin took some): the stall clock restarts. */
    void progress() {
        lastClientProgress = now();
    }

    void startWatchdog() {
        progress();
        if (!watchdogArmed) {
            watchdogArmed = true;
            watchdogAt = lastClientProgress + checkPeriod();
            runBy(watchdogAt);
        }
    }

    void armResponse() {
        if (!responseArmed) {
            responseArmed = true;
            responseAt = now() + responseNanos;
            runBy(responseAt);
        }
    }

    /**
     * A gRPC call's own deadline ({@code grpc-timeout}, {@link Grpc#timeoutNanos}), from the request head to the
     * response head, whatever the attempts; beside the response timeout, so the earlier of the two fires.
     *
     * @param nanos negative: no deadline
     */
    void armDeadline(long nanos) {
        if (nanos >= 0) {
            deadlineArmed = true;
            deadlineAt = now() + nanos;
            runBy(deadlineAt);
        }
    }

    /**
     * The armed gRPC deadline has passed, whether or not its task has run yet. An origin that enforces the same
     * {@code grpc-timeout} (grpc-java does) resets the stream at about the same moment; that failure can reach the
     * exchange before the deadline task does, and must still be reported as the deadline.
     */
    boolean deadlineOver() {
        return deadlineArmed && now() - deadlineAt >= 0;
    }

    /** The response head arrived: neither the response timeout nor a gRPC deadline applies any more. */
    void cancelResponse() {
        responseArmed = false;
        deadlineArmed = false;
        stopIfIdle();
    }

    /** An attempt ended and another follows: its clocks stop, the call's deadline keeps running. */
    void cancelAttempt() {
        responseArmed = false;
        watchdogArmed = false;
        stopIfIdle();
    }

    void cancelAll() {
        responseArmed = false;
        watchdogArmed = false;
        deadlineArmed = false;
        stopIfIdle();
    }

    /** Makes sure the task runs no later than {@code at}; a task due earlier stays, and finds nothing due then. */
    private void runBy(long at) {
        ConnectionClock shared = clock;
        if (shared != null && shared.take(this)) {
            shared.runBy(at);
            return;
        }
        if (task != null) {
            if (at - taskAt >= 0) {
                return;
            }
            task.cancel(false);
        }
        taskAt = at;
        task = executor.schedule(this, Math.max(0, at - now()), TimeUnit.NANOSECONDS);
    }

    /**
     * Nothing armed: a task of its own is cancelled rather than left to run for nothing (and to hold the exchange); the
     * connection's clock is let go, its task left for the other and the next exchanges.
     */
    private void stopIfIdle() {
        if (responseArmed || watchdogArmed || deadlineArmed) {
            return;
        }
        if (task != null) {
            task.cancel(false);
            task = null;
        }
        if (clock != null) {
            clock.release(this);
        }
    }

    /** The task of its own ran. */
    @Override
    public void run() {
        task = null;
        fire();
    }

    /** The connection's clock ran while these timers held it. */
    void clockFired() {
        fire();
    }

    /** Each clock that is due runs in turn; a callback may end the exchange and so disarm the ones after it. */
    private void fire() {
        long now = now();
        if (deadlineArmed && now - deadlineAt >= 0) {
            deadlineArmed = false;
            owner.deadlinePassed();
        }
        if (responseArmed && now - responseAt >= 0) {
            responseArmed = false;
            owner.responseTimedOut();
        }
        if (watchdogArmed && now - watchdogAt >= 0) {
            watchdogArmed = false;
            checkClient(now);
        }
        rearm();
    }

    private void rearm() {
        long next = 0;
        boolean any = false;
        if (deadlineArmed) {
            next = deadlineAt;
            any = true;
        }
        if (responseArmed && (!any || responseAt - next < 0)) {
            next = responseAt;
            any = true;
        }
        if (watchdogArmed && (!any || watchdogAt - next < 0)) {
            next = watchdogAt;
            any = true;
        }
        if (any) {
            runBy(next);
        } else {
            stopIfIdle(); // every clock fired: the connection's clock is let go even if the owner never cancels
        }
    }

    private long checkPeriod() {
        return Math.min(Math.min(idleNanos, bodyNanos), Math.min(responseNanos, sendNanos));
    }

    private void checkClient(long now) {
        long quiet = now - lastClientProgress;
        long limit = owner.waitingOnClientBody() ? bodyNanos : owner.waitingOnClientRead() ? idleNanos : -1;
        long wait;
        if (limit > 0) {
            if (quiet >= limit) {
                owner.clientStalled();
                return;
            }
            wait = Math.min(limit - quiet, sendNanos);
        } else if (owner.waitingOnOrigin()) {
            if (quiet >= sendNanos) {
                owner.originStalled();
                return;
            }
            wait = Math.min(idleNanos, sendNanos - quiet);
        } else {
            wait = checkPeriod();
        }
        watchdogArmed = true;
        watchdogAt = now + wait;
    }
}
