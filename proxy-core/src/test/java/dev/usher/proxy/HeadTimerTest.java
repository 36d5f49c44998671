package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The idle and header timers of a client connection on an {@link EmbeddedChannel} whose clock only moves when the
 * test advances it: the two timeouts differ, so the moment the connection closes tells which timer fired.
 */
final class HeadTimerTest {

    private static final Duration IDLE = Duration.ofSeconds(60);
    private static final Duration HEADER = Duration.ofSeconds(10);

    private final HeadTimer timer = new HeadTimer(ProxySettings.builder()
            .clientIdleTimeout(IDLE)
            .requestHeaderTimeout(HEADER)
            .build());
    private final EmbeddedChannel ch = new EmbeddedChannel(timer);

    @Test
    void nothingReceived_isClosedByTheIdleTimer_notByTheHeaderTimer() {
        ch.freezeTime();
        timer.awaitHead();

        advance(HEADER.plusSeconds(1));
        assertThat(ch.isOpen()).isTrue();
        assertThat(timer.idle()).isTrue();

        closesExactlyAfter(IDLE.minus(HEADER).minusSeconds(1));
    }

    @Test
    void firstByteOfAHead_swapsTheIdleTimerForTheHeaderTimer_countedFromThatByte() {
        ch.freezeTime();
        timer.awaitHead();
        advance(IDLE.minusSeconds(5));

        receive("GET / HT");
        assertThat(timer.idle()).isFalse(); // part of a head arrived: not idle, even when draining
        // The idle timer would have fired 5 s from here: it was cancelled.
        closesExactlyAfter(HEADER);
    }

    @Test
    void headReceived_disarmsBothTimers() {
        ch.freezeTime();
        timer.awaitHead();
        receive("GET / HTTP/1.1\r\n\r\n");
        timer.headReceived();

        advance(IDLE.multipliedBy(10));
        assertThat(ch.isOpen()).isTrue();
        assertThat(timer.idle()).isFalse();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void nextRequest_restartsTheIdleTimerFromThatMoment() {
        ch.freezeTime();
        timer.awaitHead();
        receive("GET / HTTP/1.1\r\n\r\n");
        timer.headReceived();
        advance(IDLE.multipliedBy(2));

        timer.awaitHead();
        closesExactlyAfter(IDLE);
    }

    @Test
    void busyKeepAliveConnection_staysOpen_andTheLastIdleDeadlineStillHolds() {
        ch.freezeTime();
        for (int i = 0; i < 100; i++) { // a busy keep-alive connection: a request every second
            timer.awaitHead();
            advance(Duration.ofSeconds(1));
            receive("GET / HTTP/1.1\r\n\r\n");
            timer.headReceived();
        }
        assertThat(ch.isOpen()).isTrue(); // 100 s in all, but never idle for 60 s

        timer.awaitHead();
        closesExactlyAfter(IDLE);
    }

    @Test
    void closedConnection_leavesNoTaskBehind() {
        ch.freezeTime();
        timer.awaitHead();
        ch.close();

        assertThat(ch.runScheduledPendingTasks()).isEqualTo(-1);
        assertFalse(ch.finishAndReleaseAll());
    }

    /** Open until {@code by} has passed, closed at that very nanosecond, nothing left behind. */
    private void closesExactlyAfter(Duration by) {
        advance(by.minusNanos(1));
        assertThat(ch.isOpen()).isTrue();
        advance(Duration.ofNanos(1));
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finishAndReleaseAll());
    }

    /** Bytes from the client pass through unchanged. */
    private void receive(String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
        ByteBuf passed = ch.readInbound();
        try {
            assertThat(passed.toString(StandardCharsets.US_ASCII)).isEqualTo(text);
        } finally {
            passed.release();
        }
    }

    private void advance(Duration by) {
        ch.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
    }
}
