package dev.usher.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

final class LoadGeneratorTest {

    private EchoServer echo;
    private final List<Boolean> countingCalls = new ArrayList<>();
    private int ticks;

    private final Progress progress = new Progress() {
        @Override
        public void tick(double elapsedSeconds, boolean counting, Latency interval, Errors errorsSoFar) {
            ticks++;
        }

        @Override
        public void countingStarted() {
            countingCalls.add(true);
        }

        @Override
        public void countingEnded() {
            countingCalls.add(false);
        }
    };

    @BeforeEach
    void startEcho() {
        echo = EchoServer.builder().name("origin").build().start();
    }

    @AfterEach
    void stopEcho() {
        echo.close();
    }

    /** Two seconds counted after two of warm-up, which absorbs class loading on a busy machine. */
    private LoadSettings settings(String path, int connections, int rate, int bodySize) {
        return new LoadSettings(
                new InetSocketAddress("127.0.0.1", echo.port()),
                List.of(new RequestTarget("a.test", path), new RequestTarget("b.test", path)),
                connections,
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                rate,
                bodySize,
                Duration.ofSeconds(10),
                1);
    }

    @Test
    void closedLoop_twoSecondsAgainstEcho_answersWithoutErrors() throws Exception {
        Measurement m = LoadGenerator.run(settings("/p0", 4, 0, 0), progress);

        assertThat(m.responses()).isPositive();
        assertThat(m.latency().count()).isEqualTo(m.responses());
        assertThat(m.errors().total()).isZero();
        assertThat(countingCalls).containsExactly(true, false);
        assertThat(ticks).isGreaterThanOrEqualTo(2);
        assertThat(echo.connectionsAccepted()).isEqualTo(4); // keep-alive: no reconnects
    }

    @Test
    void openLoop_fixedRate_sendsAboutTheRateWithoutErrors() throws Exception {
        Measurement m = LoadGenerator.run(settings("/p0", 4, 100, 0), progress);

        assertThat(m.errors().total()).isZero();
        // 100/s: nothing is sent before its intended time, so at most the 400 scheduled from the start (warm-up
        // included, if a slow start left a backlog) can end in the window, plus one per connection.
        assertThat(m.responses()).isPositive().isLessThanOrEqualTo(404);
    }

    @Test
    void requestBody_isSentAsPost() throws Exception {
        Measurement m = LoadGenerator.run(settings("/p0", 2, 0, 1024), progress);

        assertThat(m.responses()).isPositive();
        assertThat(m.errors().total()).isZero();
    }

    @Test
    void non2xxResponses_areCountedByStatus() throws Exception {
        Measurement m = LoadGenerator.run(settings("/status/503", 2, 0, 0), progress);

        assertThat(m.responses()).isPositive();
        assertThat(m.errors().statuses()).containsOnlyKeys(503);
        assertThat(m.errors().statuses().get(503)).isEqualTo(m.responses());
    }

    @Test
    void closedPort_countsConnectErrors() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        LoadSettings settings = new LoadSettings(
                new InetSocketAddress("127.0.0.1", port),
                List.of(new RequestTarget("a.test", "/")),
                2,
                Duration.ZERO,
                Duration.ofSeconds(1),
                0,
                0,
                Duration.ofSeconds(2),
                1);

        Measurement m = LoadGenerator.run(settings, progress);

        assertThat(m.responses()).isZero();
        assertThat(m.errors().connect()).isPositive();
    }

    @Test
    void probeClient_keepAliveGets_readStatusesOnOneConnection() throws IOException {
        try (ProbeClient probe = new ProbeClient(new InetSocketAddress("127.0.0.1", echo.port()))) {
            assertThat(probe.get("a.test", "/x")).isEqualTo(200);
            assertThat(probe.get("a.test", "/status/404")).isEqualTo(404);
            assertThat(probe.get("a.test", "/x?size=5000")).isEqualTo(200);
        }
        assertThat(echo.connectionsAccepted()).isEqualTo(1);
    }
}
