package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Graceful drain: in-flight requests finish, idle connections close, nothing new is accepted. */
final class DrainTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @Test
    void drain_finishesInFlight_closesIdle_refusesNew() throws Exception {
        try (ProxyFixture fixture = new ProxyFixture(1, ProxySettings.defaults());
                RawHttp busy = new RawHttp(fixture.proxy.httpPort());
                RawHttp idle = new RawHttp(fixture.proxy.httpPort())) {
            int port = fixture.proxy.httpPort();
            idle.send("GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(idle.readResponse()).startsWith("HTTP/1.1 200");
            busy.send("GET /held HTTP/1.1\r\nHost: app.test\r\n\r\n");
            TestOrigin origin = fixture.origins.get(0);
            await().atMost(PATIENCE).until(origin.held::get, n -> n == 1);

            CompletableFuture<Void> drained =
                    CompletableFuture.runAsync(() -> fixture.proxy.drain(Duration.ofSeconds(30)));
            // The idle connection closes at once; the busy one only when its exchange is done.
            assertThat(idle.readUntilClose()).isEmpty();
            origin.releaseHeld();

            String answer = busy.readUntilClose();
            assertThat(answer)
                    .startsWith("HTTP/1.1 200")
                    .contains("connection: close")
                    .endsWith("held origin-0");
            drained.get();
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
        }
    }

    @Test
    void drain_deadlinePassed_closesWhatIsLeft() throws Exception {
        try (ProxyFixture fixture = new ProxyFixture(1, ProxySettings.defaults());
                RawHttp busy = new RawHttp(fixture.proxy.httpPort())) {
            busy.send("GET /held HTTP/1.1\r\nHost: app.test\r\n\r\n");
            await().atMost(PATIENCE).until(fixture.origins.get(0).held::get, n -> n == 1);

            fixture.proxy.drain(Duration.ofMillis(300));

            assertThat(busy.readUntilClose()).doesNotContain("<<timeout>>").doesNotContain("200");
        }
    }
}
