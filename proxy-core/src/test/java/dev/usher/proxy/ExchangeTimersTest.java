package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.RouteTimeouts;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An exchange's timers on an {@link EmbeddedChannel} whose clock moves only when the test advances it. The four
 * limits differ, so the moment a callback runs, and which one, tells which timer fired and that it fired on time.
 */
final class ExchangeTimersTest {

    private static final Duration RESPONSE = Duration.ofSeconds(60);
    private static final Duration IDLE = Duration.ofSeconds(40);
    private static final Duration BODY = Duration.ofSeconds(20);

    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final List<String> fired = new ArrayList<>();
    private final RecordingTimerOwner owner = new RecordingTimerOwner(fired, "");

    @BeforeEach
    void freeze() {
        ch.freezeTime();
    }

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private ExchangeTimers timers(RouteTimeouts route) {
        ProxySettings settings = ProxySettings.builder()
                .responseTimeout(RESPONSE)
                .clientIdleTimeout(IDLE)
                .clientBodyTimeout(BODY)
                .build();
        return new ExchangeTimers(ch.eventLoop(), settings, route, owner);
    }

    private void advance(Duration by) {
        ch.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
    }

    @Test
    void responseTimeout_firesAtItsLimit_andNotBefore() {
        ExchangeTimers t = timers(RouteTimeouts.NONE);
        t.armResponse();

        advance(RESPONSE.minusNanos(1));
        assertThat(fired).isEmpty();
        advance(Duration.ofNanos(1));
        assertThat(fired).containsExactly("response");
    }

    @Test
    void aRoutesReadTimeout_replacesTheResponseTimeout() {
        ExchangeTimers t = timers(new RouteTimeouts(null, Duration.ofSeconds(5), null));
        t.armResponse();

        advance(Duration.ofSeconds(5).minusNanos(1));
        assertThat(fired).isEmpty();
        advance(Duration.ofNanos(1));
        assertThat(fired).containsExactly("response");
    }

    @Test
    void cancelledResponseTimer_neverFires() {
        ExchangeTimers t = timers(RouteTimeouts.NONE);
        t.armResponse();
        advance(RESPONSE.dividedBy(2));
        t.cancelResponse();

        advance(RESPONSE.multipliedBy(3));
        assertThat(fired).isEmpty();
    }

    @Test
    void grpcDeadline_isOverAtItsLimit_evenBeforeItsTaskRuns_andNotOnceCancelled() {
        ExchangeTimers t = timers(RouteTimeouts.NONE);
        assertThat(t.deadlineOver()).isFalse(); // no grpc-timeout: never over
        t.armDeadline(Duration.ofMillis(200).toNanos());

        ch.advanceTimeBy(Duration.ofMillis(200).minusNanos(1).toNanos(), TimeUnit.NANOSECONDS);
        assertThat(t.deadlineOver()).isFalse();
        ch.advanceTimeBy(1, TimeUnit.NANOSECONDS); // time is up, the task has not run: an origin reset may come first
        assertThat(t.deadlineOver()).isTrue();
        assertThat(fired).isEmpty();

        t.cancelResponse(); // the response head arrived: the deadline no longer applies
        assertThat(t.deadlineOver()).isFalse();
        ch.runScheduledPendingTasks();
        assertThat(fired).isEmpty();
    }

    @Test
    void aClientPausingItsBody_isStalledAfterTheBodyTimeout_countedFromItsLastProgress() {
        ExchangeTimers t = timers(RouteTimeouts.NONE);
        owner.clientOwesBody = true;
        t.startWatchdog();
        advance(BODY.minusSeconds(1));
        t.progress(); // a chunk arrived: the stall clock restarts here

        advance(BODY.minusNanos(1));
        assertThat(fired).isEmpty();
        advance(Duration.ofNanos(1));
        assertThat(fired).containsExactly("client");
    }

    @Test
    void aClientNotReadingItsResponse_isStalledAfterTheIdleTimeout_notTheBodyTimeout() {
        ExchangeTimers t = timers(RouteTimeouts.NONE);
        owner.clientNotReading = true;
        t.startWatchdog();

        advance(BODY.plusSeconds(1));
        assertThat(fired).isEmpty();
        advance(IDLE.minus(BODY).minusSeconds(1).minusNanos(1));
        assertThat(fired).isEmpty();
        advance(Duration.ofNanos(1));
        assertThat(fired).containsExactly("client");
    }

    @Test
    void anOriginNotTakingTheBody_isStalledAfterTheRoutesSendTimeout() {
        ExchangeTimers t = timers(new RouteTimeouts(null, null, Duration.ofSeconds(7)));
        owner.originNotReading = true;
        t.startWatchdog();

        advance(Duration.ofSeconds(7).minusNanos(1));
        assertThat(fired).isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(fired).containsExactly("origin");
    }

    @Test
    void nothingOwed_theWatchdogKeepsWatching_andFiresOnceSomethingStalls() {
        ExchangeTimers t = timers(RouteTimeouts.NONE);
        t.startWatchdog();
        advance(RESPONSE.multipliedBy(5));
        assertThat(fired).isEmpty();

        t.progress();
        owner.clientNotReading = true;
        advance(IDLE.plus(BODY)); // the next check comes at most one check period after the stall began
        assertThat(fired).containsExactly("client");
    }

    @Test
    void cancelAll_stopsTheWatchdog() {
        ExchangeTimers t = timers(RouteTimeouts.NONE);
        owner.clientOwesBody = true;
        t.startWatchdog();
        t.armResponse();
        t.cancelAll();

        advance(RESPONSE.multipliedBy(3));
        assertThat(fired).isEmpty();
    }

    @Test
    void sharedTask_eachClockStillFiresAtItsOwnMoment() {
        ExchangeTimers t = timers(RouteTimeouts.NONE);
        t.startWatchdog(); // nothing owed yet: it keeps checking every period
        t.armResponse();
        t.armDeadline(Duration.ofSeconds(30).toNanos());

        advance(Duration.ofSeconds(30).minusNanos(1));
        assertThat(fired).isEmpty();
        advance(Duration.ofNanos(1));
        assertThat(fired).containsExactly("deadline");
        advance(RESPONSE.minusSeconds(30).minusNanos(1));
        assertThat(fired).containsExactly("deadline");
        advance(Duration.ofNanos(1));
        assertThat(fired).containsExactly("deadline", "response");

        t.progress();
        owner.clientNotReading = true;
        advance(IDLE.plus(BODY));
        assertThat(fired).containsExactly("deadline", "response", "client");
    }

    @Test
    void cancellingTheResponse_keepsTheWatchdog_andDropsTheDeadline() {
        ExchangeTimers t = timers(RouteTimeouts.NONE);
        owner.clientOwesBody = true;
        t.startWatchdog();
        t.armResponse();
        t.armDeadline(Duration.ofSeconds(5).toNanos());
        t.cancelResponse();

        advance(BODY.minusNanos(1));
        assertThat(fired).isEmpty();
        advance(Duration.ofNanos(1));
        assertThat(fired).containsExactly("client");
    }

    @Test
    void anEarlierClock_movesTheSharedTaskForward() {
        ExchangeTimers t = timers(RouteTimeouts.NONE);
        t.armResponse(); // due at 60 s
        t.armDeadline(Duration.ofSeconds(1).toNanos()); // due first

        advance(Duration.ofSeconds(1));
        assertThat(fired).containsExactly("deadline");
    }

    @Test
    void cancelAll_leavesNoTaskBehind() {
        ExchangeTimers t = timers(RouteTimeouts.NONE);
        t.startWatchdog();
        t.armResponse();
        t.armDeadline(Duration.ofSeconds(1).toNanos());
        t.cancelAll();

        assertThat(ch.runScheduledPendingTasks()).isEqualTo(-1); // no scheduled task left on the event loop
    }
}
