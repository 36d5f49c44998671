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
 * The timer task an HTTP/1 connection's exchanges share, on an {@link EmbeddedChannel} whose clock moves only when
 * the test advances it. {@code runScheduledPendingTasks()} answers how long until the next scheduled task (or -1):
 * that tells whether an exchange scheduled a task of its own or found the shared one due early enough.
 */
final class ConnectionClockTest {

    private static final Duration RESPONSE = Duration.ofSeconds(60);
    private static final RouteTimeouts FIVE_SECONDS = new RouteTimeouts(null, Duration.ofSeconds(5), null);

    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final ConnectionClock clock = new ConnectionClock(ch.eventLoop());
    private final List<String> fired = new ArrayList<>();

    @BeforeEach
    void freeze() {
        ch.freezeTime();
    }

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private ExchangeTimers exchange(String name, RouteTimeouts route) {
        ProxySettings settings = ProxySettings.builder()
                .responseTimeout(RESPONSE)
                .clientIdleTimeout(RESPONSE)
                .clientBodyTimeout(RESPONSE)
                .build();
        return new ExchangeTimers(ch.eventLoop(), settings, route, new RecordingTimerOwner(fired, name + ":"), clock);
    }

    /** Moves the clock and runs what is due; returns the nanoseconds until the next scheduled task, -1 for none. */
    private long advance(Duration by) {
        ch.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        return ch.runScheduledPendingTasks();
    }

    private long nextTaskIn() {
        return ch.runScheduledPendingTasks();
    }

    @Test
    void exchangesOneAfterAnother_shareOneTask_andEachTimesOutAtItsOwnDeadline() {
        ExchangeTimers a = exchange("a", RouteTimeouts.NONE);
        a.startWatchdog();
        a.armResponse();
        assertThat(nextTaskIn()).isEqualTo(RESPONSE.toNanos());
        a.cancelAll(); // a answered in time

        advance(Duration.ofSeconds(10));
        ExchangeTimers b = exchange("b", RouteTimeouts.NONE);
        b.startWatchdog();
        b.armResponse();
        // no task of b's own (it would be due in 60 s): the one left by a, due in 50 s, serves b
        assertThat(nextTaskIn()).isEqualTo(Duration.ofSeconds(50).toNanos());

        // a's moment: nothing is due for b, which sets the task for its own deadline
        assertThat(advance(Duration.ofSeconds(50)))
                .isEqualTo(Duration.ofSeconds(10).toNanos());
        assertThat(fired).isEmpty();
        advance(Duration.ofSeconds(10).minusNanos(1));
        assertThat(fired).isEmpty();
        advance(Duration.ofNanos(1));
        assertThat(fired).containsExactly("b:response");
    }

    @Test
    void aFreedClock_isMovedEarlier_forTheNextExchangesShorterTimeout() {
        ExchangeTimers a = exchange("a", RouteTimeouts.NONE);
        a.armResponse();
        a.cancelAll();

        ExchangeTimers b = exchange("b", FIVE_SECONDS);
        b.armResponse();
        assertThat(nextTaskIn()).isEqualTo(Duration.ofSeconds(5).toNanos());
        advance(Duration.ofSeconds(5).minusNanos(1));
        assertThat(fired).isEmpty();
        advance(Duration.ofNanos(1));
        assertThat(fired).containsExactly("b:response");
    }

    @Test
    void anExchangeOverlappingTheHolder_timesItselfWithATaskOfItsOwn() {
        ExchangeTimers a = exchange("a", RouteTimeouts.NONE);
        a.armResponse(); // a holds the clock, due in 60 s

        ExchangeTimers b = exchange("b", FIVE_SECONDS);
        b.armResponse(); // its own task, due in 5 s
        assertThat(nextTaskIn()).isEqualTo(Duration.ofSeconds(5).toNanos());
        advance(Duration.ofSeconds(5));
        assertThat(fired).containsExactly("b:response");

        advance(RESPONSE.minusSeconds(5)); // a was never disturbed by b
        assertThat(fired).containsExactly("b:response", "a:response");
    }

    @Test
    void aCancelledOverlappingExchange_leavesNoTaskOfItsOwn_andTheHolderStillFires() {
        ExchangeTimers a = exchange("a", RouteTimeouts.NONE);
        a.armResponse();
        ExchangeTimers b = exchange("b", FIVE_SECONDS);
        b.armResponse();
        b.cancelAll(); // b's own task is cancelled, a keeps the clock

        assertThat(nextTaskIn()).isEqualTo(RESPONSE.toNanos());
        advance(RESPONSE);
        assertThat(fired).containsExactly("a:response");
    }

    @Test
    void aTaskThatFindsNoHolder_ends() {
        ExchangeTimers a = exchange("a", RouteTimeouts.NONE);
        a.armResponse();
        a.cancelAll();

        assertThat(advance(RESPONSE)).isEqualTo(-1); // ran, found nothing armed, set nothing
        assertThat(fired).isEmpty();
    }

    @Test
    void closingTheConnection_cancelsTheTask_andLaterExchangesTimeThemselves() {
        ExchangeTimers a = exchange("a", RouteTimeouts.NONE);
        a.armResponse();
        a.cancelAll();
        clock.close();
        assertThat(nextTaskIn()).isEqualTo(-1); // nothing holds the closed connection until a's old deadline

        ExchangeTimers c = exchange("c", FIVE_SECONDS); // an exchange still winding down after the close
        c.armResponse();
        assertThat(nextTaskIn()).isEqualTo(Duration.ofSeconds(5).toNanos());
        c.cancelAll();
        assertThat(nextTaskIn()).isEqualTo(-1);
    }

    @Test
    void theHoldersLaterClocks_followTheSharedTask_throughRetries() {
        ExchangeTimers a = exchange("a", RouteTimeouts.NONE);
        a.startWatchdog();
        a.armResponse();
        advance(Duration.ofSeconds(30));
        a.cancelAttempt(); // the attempt failed; the next one arms again 30 s in
        a.startWatchdog();
        a.armResponse();
        // the old task, due in 30 s, still serves: at 30 s it finds nothing due and moves to the retry's 60 s
        assertThat(nextTaskIn()).isEqualTo(Duration.ofSeconds(30).toNanos());
        advance(Duration.ofSeconds(30));
        assertThat(fired).isEmpty();
        advance(Duration.ofSeconds(30));
        assertThat(fired).containsExactly("a:response");
    }
}
