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
 * The timer task a connection's exchanges share (HTTP/1's one after the other, HTTP/2's streams side by side), on an {@link EmbeddedChannel} whose clock moves only when
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

    private static ProxySettings settings() {
        return ProxySettings.builder()
                .responseTimeout(RESPONSE)
                .clientIdleTimeout(RESPONSE)
                .clientBodyTimeout(RESPONSE)
                .build();
    }

    private ExchangeTimers exchange(String name, RouteTimeouts route) {
        return new ExchangeTimers(ch.eventLoop(), settings(), route, new RecordingTimerOwner(fired, name + ":"), clock);
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
    void exchangesSideBySide_shareTheTask_andAShorterTimeoutMovesItEarlier() {
        ExchangeTimers a = exchange("a", RouteTimeouts.NONE);
        a.armResponse(); // due in 60 s

        ExchangeTimers b = exchange("b", FIVE_SECONDS);
        b.armResponse(); // joins, and moves the one task to 5 s
        assertThat(clock.holders()).isEqualTo(2);
        assertThat(nextTaskIn()).isEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(advance(Duration.ofSeconds(5)))
                .isEqualTo(RESPONSE.minusSeconds(5).toNanos());
        assertThat(fired).containsExactly("b:response");
        assertThat(clock.holders()).isEqualTo(1);

        advance(RESPONSE.minusSeconds(5)); // a was never disturbed by b
        assertThat(fired).containsExactly("b:response", "a:response");
        assertThat(clock.holders()).isZero();
    }

    @Test
    void aCancelledExchangeSideBySide_letsGo_andTheOtherStillFires() {
        ExchangeTimers a = exchange("a", RouteTimeouts.NONE);
        a.armResponse();
        ExchangeTimers b = exchange("b", FIVE_SECONDS);
        b.armResponse();
        b.cancelAll(); // b leaves; the task stays at 5 s and finds only a

        assertThat(clock.holders()).isEqualTo(1);
        assertThat(advance(Duration.ofSeconds(5)))
                .isEqualTo(RESPONSE.minusSeconds(5).toNanos());
        assertThat(fired).isEmpty();
        advance(RESPONSE.minusSeconds(5));
        assertThat(fired).containsExactly("a:response");
    }

    @Test
    void aHundredStreams_scheduleOneTask_andEachTimesOutAtItsOwnDeadline() {
        List<ExchangeTimers> streams = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ExchangeTimers t = exchange("s" + i, RouteTimeouts.NONE);
            t.armResponse();
            streams.add(t);
            advance(Duration.ofMillis(10)); // each starts 10 ms after the one before
        }
        assertThat(clock.holders()).isEqualTo(100);
        // one task, for the first stream's deadline (the event loop's queue holds nothing else)
        assertThat(nextTaskIn()).isEqualTo(RESPONSE.minusSeconds(1).toNanos());
        for (int i = 0; i < 100; i += 2) {
            streams.get(i).cancelAll(); // every other stream is answered
        }
        assertThat(clock.holders()).isEqualTo(50);

        advance(RESPONSE.minusSeconds(1).plusMillis(10)); // up to stream 1's deadline (s0's found nothing)
        assertThat(fired).containsExactly("s1:response");
        advance(Duration.ofSeconds(1));
        assertThat(fired).hasSize(50).allMatch(f -> Integer.parseInt(f.substring(1, f.indexOf(':'))) % 2 == 1);
        assertThat(clock.holders()).isZero();
    }

    @Test
    void aCallbackThatClosesTheConnection_endsTheRound_andLetsEveryHolderGo() {
        List<ExchangeTimers> others = new ArrayList<>();
        ExchangeTimers closer = new ExchangeTimers(
                ch.eventLoop(),
                settings(),
                FIVE_SECONDS,
                new RecordingTimerOwner(fired, "closer:") {
                    @Override
                    public void responseTimedOut() {
                        super.responseTimedOut();
                        clock.close(); // as a stream's timeout that ends the whole connection would
                    }
                },
                clock);
        for (int i = 0; i < 3; i++) {
            ExchangeTimers t = exchange("o" + i, FIVE_SECONDS);
            t.armResponse();
            others.add(t);
        }
        closer.armResponse();
        advance(Duration.ofSeconds(5));
        // the closer ran first (the newest holder heads the list); the others were let go before their turn
        assertThat(fired).containsExactly("closer:response");
        assertThat(clock.holders()).isZero();
        assertThat(others).noneMatch(t -> t.clockHeld);
        assertThat(nextTaskIn()).isEqualTo(-1);
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
